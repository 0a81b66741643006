package io.soilci.server.site;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * {@link DataInput} over bytes in memory (the index snapshot, read in one go): the same big-endian
 * values {@link java.io.DataOutputStream} writes, without a stream's per-byte locking. Reading past
 * the end throws {@link EOFException}.
 */
final class BufferInput implements DataInput {
  private final ByteBuffer in;

  BufferInput(ByteBuffer in) {
    this.in = in;
  }

  int remaining() {
    return in.remaining();
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    try {
      in.get(b, off, len);
    } catch (BufferUnderflowException e) {
      throw cutShort();
    }
  }

  @Override
  public int skipBytes(int n) {
    int skipped = Math.max(0, Math.min(n, in.remaining()));
    in.position(in.position() + skipped);
    return skipped;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return readByte() != 0;
  }

  @Override
  public byte readByte() throws IOException {
    try {
      return in.get();
    } catch (BufferUnderflowException e) {
      throw cutShort();
    }
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return readByte() & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    try {
      return in.getShort();
    } catch (BufferUnderflowException e) {
      throw cutShort();
    }
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
    try {
      return in.getInt();
    } catch (BufferUnderflowException e) {
      throw cutShort();
    }
  }

  @Override
  public long readLong() throws IOException {
    try {
      return in.getLong();
    } catch (BufferUnderflowException e) {
      throw cutShort();
    }
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

  private static EOFException cutShort() {
    return new EOFException("the index snapshot ends early");
  }
}
