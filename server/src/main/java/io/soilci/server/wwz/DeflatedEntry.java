package io.soilci.server.wwz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/**
 * Where a deflated entry's raw DEFLATE stream lies in the zip file, and the CRC-32 and size the
 * central directory gives for it: all a gzip member needs besides the stream itself.
 */
record DeflatedEntry(long offset, long compressedSize, long crc, long size) {
  private static final int LOCAL_HEADER = 0x04034b50;
  private static final int LOCAL_HEADER_BYTES = 30;

  /**
   * The entry's stream, found from its local header; empty if it is not deflated (stored entries
   * are sent as they are).
   */
  static Optional<DeflatedEntry> of(FileChannel file, ZipArchiveEntry entry) throws IOException {
    return of(file::read, file.size(), entry);
  }

  /** Reads into {@code dst} from byte {@code position}, as {@code FileChannel.read} does. */
  interface Positional {
    int read(ByteBuffer dst, long position) throws IOException;
  }

  /** As {@link #of(FileChannel, ZipArchiveEntry)}, from a zip of {@code size} bytes. */
  static Optional<DeflatedEntry> of(Positional file, long size, ZipArchiveEntry entry)
      throws IOException {
    if (entry.getMethod() != ZipEntry.DEFLATED) {
      return Optional.empty();
    }
    long compressed = entry.getCompressedSize();
    long header = entry.getLocalHeaderOffset();
    if (compressed < 0 || entry.getSize() < 0 || entry.getCrc() < 0 || header < 0) {
      throw new IOException(entry.getName() + " has no sizes or CRC-32 in the zip's directory");
    }
    ByteBuffer local = ByteBuffer.allocate(LOCAL_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    while (local.hasRemaining()) {
      if (file.read(local, header + local.position()) < 0) {
        throw new IOException(entry.getName() + ": the zip ends inside its local header");
      }
    }
    if (local.getInt(0) != LOCAL_HEADER) {
      throw new IOException(entry.getName() + ": no local header at offset " + header);
    }
    long offset =
        header
            + LOCAL_HEADER_BYTES
            + Short.toUnsignedInt(local.getShort(26))
            + Short.toUnsignedInt(local.getShort(28));
    if (offset + compressed > size) {
      throw new IOException(entry.getName() + ": its deflated data runs past the end of the zip");
    }
    return Optional.of(new DeflatedEntry(offset, compressed, entry.getCrc(), entry.getSize()));
  }
}
