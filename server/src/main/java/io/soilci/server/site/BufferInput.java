package io.soilci.server.site;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@link DataInput} over bytes in memory (the index snapshot, read in one go): the same big-endian
 * values {@link java.io.DataOutputStream} writes, without a stream's per-byte locking. Reading past
 * the end throws {@link EOFException}.
 *
 * <p>Each value is put together from the array here, not read through a {@link
 * java.nio.ByteBuffer}: a start decodes 5,000 runs before the JIT has compiled much, and in the
 * interpreter a buffer's {@code getLong} is a chain of about ten calls (bounds, scope, unaligned
 * access, byte order) where this is one (docs/BENCHMARKS.md, "Stop 29").
 */
final class BufferInput implements DataInput {
  private final byte[] bytes;
  private final int end;
  private int position;

  /** Reads {@code bytes[offset, end)}. */
  BufferInput(byte[] bytes, int offset, int end) {
    if (offset < 0 || end < offset || end > bytes.length) {
      throw new IndexOutOfBoundsException("[" + offset + ", " + end + ") of " + bytes.length);
    }
    this.bytes = bytes;
    this.position = offset;
    this.end = end;
  }

  /** The bytes read from. */
  byte[] bytes() {
    return bytes;
  }

  /** Where the next read starts, in {@link #bytes}. */
  int position() {
    return position;
  }

  int remaining() {
    return end - position;
  }

  /** Takes {@code n} bytes: their first index in {@link #bytes}; throws when fewer are left. */
  private int take(int n) throws EOFException {
    int at = position;
    if (n > end - at) {
      throw new EOFException("the index snapshot ends early");
    }
    position = at + n;
    return at;
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    System.arraycopy(bytes, take(len), b, off, len);
  }

  /** The next {@code length} bytes as UTF-8 text (malformed bytes become U+FFFD). */
  String readUtf8(int length) throws IOException {
    return new String(bytes, take(length), length, StandardCharsets.UTF_8);
  }

  @Override
  public int skipBytes(int n) {
    int skipped = Math.max(0, Math.min(n, remaining()));
    position += skipped;
    return skipped;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return readByte() != 0;
  }

  @Override
  public byte readByte() throws IOException {
    return bytes[take(1)];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return bytes[take(1)] & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    int at = take(2);
    return (short) ((bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff));
  }

  @Override
  public int readUnsignedShort() throws IOException {
    return readShort() & 0xffff;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readShort();
  }

  @Override
  public int readInt() throws IOException {
    int at = take(4);
    byte[] b = bytes;
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }

  @Override
  public long readLong() throws IOException {
    int at = take(8);
    byte[] b = bytes;
    int high =
        (b[at] & 0xff) << 24
            | (b[at + 1] & 0xff) << 16
            | (b[at + 2] & 0xff) << 8
            | (b[at + 3] & 0xff);
    int low =
        (b[at + 4] & 0xff) << 24
            | (b[at + 5] & 0xff) << 16
            | (b[at + 6] & 0xff) << 8
            | (b[at + 7] & 0xff);
    return (long) high << 32 | (low & 0xffffffffL);
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  /** Not part of any format here: lines are not how the snapshot is written. */
  @Override
  public String readLine() {
    throw new UnsupportedOperationException("the index snapshot has no lines");
  }

  @Override
  public String readUTF() throws IOException {
    return DataInputStream.readUTF(this);
  }
}
