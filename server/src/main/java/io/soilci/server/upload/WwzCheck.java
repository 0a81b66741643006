package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.WwzPath;
import io.soilci.server.config.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Checks a job's wwz before it is stored: a readable zip within the entry-count, size and
 * compression-ratio limits, every entry name a safe relative path that appears once, no encrypted,
 * unsupported or symlink entries.
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
}
