package io.soilci.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Zips built in memory for tests, including malicious ones. */
public final class Zips {
  private Zips() {}

  /** A deflated zip of {@code entries} (name → text), in order. */
  public static byte[] of(Map<String, String> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A zip whose one entry {@code name} holds {@code size} zero bytes (compresses ~1000x). */
  public static byte[] zeros(String name, int size) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(name));
      byte[] chunk = new byte[64 * 1024];
      for (int left = size; left > 0; left -= chunk.length) {
        zip.write(chunk, 0, Math.min(chunk.length, left));
      }
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Sets the "encrypted" flag of every local and central header (general purpose bit 0). */
  public static byte[] markedEncrypted(byte[] zip) {
    byte[] out = zip.clone();
    for (int i = 0; i + 8 < out.length; i++) {
      if (out[i] == 'P' && out[i + 1] == 'K' && out[i + 2] == 3 && out[i + 3] == 4) {
        out[i + 6] |= 1;
      }
      if (out[i] == 'P' && out[i + 1] == 'K' && out[i + 2] == 1 && out[i + 3] == 2) {
        out[i + 8] |= 1;
      }
    }
    return out;
  }

  /** A zip with {@code name} twice: java.util.zip refuses that, Commons Compress writes it. */
  public static byte[] duplicated(String name) {
    return compress(name, name, 0100644);
  }

  /** A zip whose entry {@code name} is a symbolic link to {@code /etc/passwd}. */
  public static byte[] symlink(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      ZipArchiveEntry entry = new ZipArchiveEntry(name);
      entry.setUnixMode(0120777);
      zip.putArchiveEntry(entry);
      zip.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] compress(String first, String second, int mode) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      for (String name : new String[] {first, second}) {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(mode);
        zip.putArchiveEntry(entry);
        zip.write("x".getBytes(StandardCharsets.UTF_8));
        zip.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Makes every central-directory entry claim an uncompressed size of {@code size} bytes. */
  public static byte[] claimingSize(byte[] zip, int size) {
    byte[] out = zip.clone();
    for (int i = 0; i + 28 < out.length; i++) {
      if (out[i] == 'P' && out[i + 1] == 'K' && out[i + 2] == 1 && out[i + 3] == 2) {
        out[i + 24] = (byte) size;
        out[i + 25] = (byte) (size >> 8);
        out[i + 26] = (byte) (size >> 16);
        out[i + 27] = (byte) (size >> 24);
      }
    }
    return out;
  }

  /** Makes every central-directory entry claim the CRC-32 {@code crc}. */
  public static byte[] claimingCrc(byte[] zip, int crc) {
    byte[] out = zip.clone();
    for (int i = 0; i + 20 < out.length; i++) {
      if (out[i] == 'P' && out[i + 1] == 'K' && out[i + 2] == 1 && out[i + 3] == 2) {
        out[i + 16] = (byte) crc;
        out[i + 17] = (byte) (crc >> 8);
        out[i + 18] = (byte) (crc >> 16);
        out[i + 19] = (byte) (crc >> 24);
      }
    }
    return out;
  }

  /**
   * Breaks the deflate stream of the first entry: its first byte becomes a block of the reserved
   * type 3, which no inflater accepts.
   */
  public static byte[] corruptDeflate(byte[] zip) {
    byte[] out = zip.clone();
    int nameLength = (out[26] & 0xff) | (out[27] & 0xff) << 8;
    int extraLength = (out[28] & 0xff) | (out[29] & 0xff) << 8;
    out[30 + nameLength + extraLength] = (byte) 0xff;
    return out;
  }
}
