package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.WwzPath;
import io.soilci.server.config.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Checks a job's wwz before it is stored: a readable zip within the entry-count, size and
 * compression-ratio limits, every entry name a safe relative path that appears once, no encrypted,
 * unsupported or symlink entries, and every entry's data inflating to its declared size and CRC.
 */
final class WwzCheck {
  private final Limits limits;

  WwzCheck(Limits limits) {
    this.limits = limits;
  }

  /** Throws {@link BadInput} naming {@code source} and the first rule {@code zip} breaks. */
  void check(Path zip, String source) throws IOException {
    long compressed = Files.size(zip);
    try (ZipFile file = open(zip, source)) {
      long total = 0;
      int count = 0;
      Set<String> names = new HashSet<>();
      for (Enumeration<ZipArchiveEntry> e = file.getEntries(); e.hasMoreElements(); ) {
        ZipArchiveEntry entry = e.nextElement();
        if (++count > limits.maxZipEntries()) {
          throw new BadInput(
              source + " has more than " + limits.maxZipEntries() + " entries (maxZipEntries)");
        }
        checkEntry(file, entry, source, names);
        total += Math.max(0, entry.getSize());
        if (total > limits.maxUncompressedBytes()) {
          throw new BadInput(
              source
                  + " holds more than "
                  + limits.maxUncompressedBytes()
                  + " bytes uncompressed (maxUncompressedBytes)");
        }
      }
      checkRatio(source, total, compressed);
      // Only now, with every declared size within the limits, is the data read.
      for (Enumeration<ZipArchiveEntry> e = file.getEntries(); e.hasMoreElements(); ) {
        checkData(file, e.nextElement(), source);
      }
    }
  }

  /** A small zip may expand a lot in absolute terms; ratios count from 1 KiB compressed. */
  private void checkRatio(String what, long size, long packed) {
    if (size > (long) limits.maxCompressionRatio() * Math.max(packed, 1024)) {
      throw new BadInput(
          what
              + " expands "
              + (size / Math.max(packed, 1))
              + " times, more than maxCompressionRatio "
              + limits.maxCompressionRatio());
    }
  }

  private static ZipFile open(Path zip, String source) {
    try {
      return ZipFile.builder().setPath(zip).get();
    } catch (IOException | RuntimeException e) {
      throw new BadInput(source + " is not a readable zip file: " + e.getMessage());
    }
  }

  private void checkEntry(ZipFile file, ZipArchiveEntry entry, String source, Set<String> names) {
    String name = entry.getName();
    try {
      WwzPath.require(source + " entry", name);
    } catch (BadInput e) {
      throw new BadInput(String.valueOf(e.getMessage()), e);
    }
    if (!names.add(name)) {
      throw new BadInput(source + " entry '" + name + "' appears more than once");
    }
    if (entry.getGeneralPurposeBit().usesEncryption()) {
      throw new BadInput(source + " entry '" + name + "' is encrypted");
    }
    if (entry.isUnixSymlink()) {
      throw new BadInput(source + " entry '" + name + "' is a symbolic link");
    }
    if (!entry.isDirectory() && !file.canReadEntryData(entry)) {
      throw new BadInput(source + " entry '" + name + "' uses an unsupported compression method");
    }
    checkRatio(source + " entry '" + name + "'", entry.getSize(), entry.getCompressedSize());
  }

  /**
   * Reads the entry's data once, as serving it would: it must inflate, hold exactly its declared
   * size (never read beyond it) and match its CRC. The declared sizes were bounded before.
   */
  private static void checkData(ZipFile file, ZipArchiveEntry entry, String source) {
    if (entry.isDirectory()) {
      return;
    }
    String what = source + " entry '" + entry.getName() + "'";
    long declared = entry.getSize();
    CRC32 crc = new CRC32();
    long read = 0;
    try (InputStream in = file.getInputStream(entry)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) != -1 && read <= declared; ) {
        int counted = (int) Math.min(n, declared + 1 - read);
        crc.update(buffer, 0, counted);
        read += counted;
      }
    } catch (IOException | RuntimeException e) {
      throw new BadInput(what + " has corrupt data: " + e.getMessage(), e);
    }
    if (read != declared) {
      throw new BadInput(
          what
              + " holds "
              + (read > declared ? "more than " + declared : Long.toString(read))
              + " bytes, not its declared size "
              + declared);
    }
    if (crc.getValue() != entry.getCrc()) {
      throw new BadInput(
          what
              + " fails its CRC check: its data gives "
              + String.format("%08x", crc.getValue())
              + ", the zip says "
              + String.format("%08x", entry.getCrc()));
    }
  }
}
