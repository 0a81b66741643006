package io.soilci.server.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Malicious zips built in memory: zip-slip names, overlapping-entry bombs, entry floods. */
final class HostileZips {
  private HostileZips() {}

  /** A zip whose entries have these names (java.util.zip writes any name as given). */
  static byte[] named(String... names) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : names) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write("pwned\n".getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A zip of {@code count} tiny entries {@code f0.txt, f1.txt, …}. */
  static byte[] flood(int count) {
    String[] names = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = "f" + i + ".txt";
    }
    return named(names);
  }

  /**
   * David Fifield's "non-recursive zip bomb", stored kind: one block of {@code blockBytes} random
   * bytes, and {@code entries} central-directory records that all point at it. Each entry alone is
   * honest (ratio 1); together they expand {@code entries} times.
   */
  static byte[] overlapping(int entries, int blockBytes) {
    byte[] block = new byte[blockBytes];
    new Random(42).nextBytes(block);
    CRC32 crc = new CRC32();
    crc.update(block);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] localName = "f0.txt".getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(localHeader(localName, (int) crc.getValue(), blockBytes));
    out.writeBytes(block);
    int directoryStart = out.size();
    for (int i = 0; i < entries; i++) {
      byte[] name = ("f" + i + ".txt").getBytes(StandardCharsets.US_ASCII);
      out.writeBytes(centralHeader(name, (int) crc.getValue(), blockBytes));
    }
    int directorySize = out.size() - directoryStart;
    out.writeBytes(end(entries, directorySize, directoryStart));
    return out.toByteArray();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] localHeader(byte[] name, int crc, int size) {
    ByteBuffer b = le(30 + name.length);
    b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
    b.putShort((short) 0).putShort((short) 0x21).putInt(crc).putInt(size).putInt(size);
    b.putShort((short) name.length).putShort((short) 0).put(name);
    return b.array();
  }

  private static byte[] centralHeader(byte[] name, int crc, int size) {
    ByteBuffer b = le(46 + name.length);
    b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
    b.putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt(crc);
    b.putInt(size).putInt(size).putShort((short) name.length).putShort((short) 0);
    b.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0);
    b.put(name);
    return b.array();
  }

  private static byte[] end(int entries, int directorySize, int directoryStart) {
    ByteBuffer b = le(22);
    b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    b.putShort((short) entries).putShort((short) entries);
    b.putInt(directorySize).putInt(directoryStart).putShort((short) 0);
    return b.array();
  }
}
