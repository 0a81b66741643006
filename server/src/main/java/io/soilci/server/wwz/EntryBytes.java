package io.soilci.server.wwz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Reads one zip entry into an off-heap buffer of exactly its declared size: deflated data is
 * inflated straight into the buffer (no copy through the heap); more data than declared is never
 * read, less is an error.
 */
final class EntryBytes {
  private static final int CHUNK = 64 * 1024;

  private EntryBytes() {}

  static ByteBuffer read(ZipFile zip, ZipArchiveEntry entry) throws IOException {
    ByteBuffer out = ByteBuffer.allocateDirect((int) entry.getSize());
    if (entry.getMethod() == ZipEntry.DEFLATED) {
      inflate(zip, entry, out);
    } else {
      copy(zip, entry, out);
    }
    if (out.hasRemaining()) {
      throw new IOException(entry.getName() + " is shorter than its declared size");
    }
    return out.flip().asReadOnlyBuffer();
  }

  private static void inflate(ZipFile zip, ZipArchiveEntry entry, ByteBuffer out)
      throws IOException {
    Inflater inflater = new Inflater(true);
    try (InputStream raw = zip.getRawInputStream(entry)) {
      byte[] input = new byte[CHUNK];
      while (out.hasRemaining() && !inflater.finished()) {
        if (inflater.needsInput()) {
          int n = raw.read(input);
          if (n < 0) {
            break;
          }
          inflater.setInput(input, 0, n);
        } else if (inflater.inflate(out) == 0 && !inflater.needsInput()) {
          break;
        }
      }
    } catch (DataFormatException e) {
      throw new IOException(entry.getName() + " has corrupt deflate data: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static void copy(ZipFile zip, ZipArchiveEntry entry, ByteBuffer out) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] chunk = new byte[CHUNK];
      while (out.hasRemaining()) {
        int n = in.read(chunk, 0, Math.min(chunk.length, out.remaining()));
        if (n < 0) {
          break;
        }
        out.put(chunk, 0, n);
      }
    }
  }
}
