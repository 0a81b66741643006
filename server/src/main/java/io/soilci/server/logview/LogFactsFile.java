package io.soilci.server.logview;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A log's {@link LogFacts} as bytes, for the index kept in the server's state folder: a version
 * line, the log's key (checked on reading), the facts, and a CRC-32 of all before it, so a file cut
 * short or changed reads as none rather than as wrong facts.
 */
final class LogFactsFile {
  private static final String MAGIC = "soil-log-index 1";

  private LogFactsFile() {}

  static byte[] write(String key, LogFacts facts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeUTF(key);
      out.writeLong(facts.lines());
      long[] starts = facts.windowStarts();
      out.writeInt(starts.length);
      for (long s : starts) {
        out.writeLong(s);
      }
      Excerpt excerpt = facts.excerpt();
      out.writeInt(excerpt.blocks().size());
      for (Excerpt.Block b : excerpt.blocks()) {
        out.writeUTF(b.tool());
        out.writeLong(b.errorLine());
        lines(out, b.lines());
      }
      lines(out, excerpt.lastCommand().stream().toList());
      lines(out, excerpt.tail());
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
    } catch (IOException e) {
      throw new IllegalStateException("a byte array cannot fail to be written", e);
    }
    return bytes.toByteArray();
  }

  /** The facts in {@code bytes} if they are whole and of {@code key}; else none. */
  static Optional<LogFacts> read(String key, byte[] bytes) {
    if (bytes.length < Long.BYTES) {
      return Optional.empty();
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - Long.BYTES);
    if (ByteBuffer.wrap(bytes).getLong(bytes.length - Long.BYTES) != crc.getValue()) {
      return Optional.empty();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (!in.readUTF().equals(MAGIC) || !in.readUTF().equals(key)) {
        return Optional.empty();
      }
      long lines = in.readLong();
      long[] starts = new long[count(in, bytes.length / Long.BYTES)];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = in.readLong();
      }
      List<Excerpt.Block> blocks = new ArrayList<>();
      for (int i = count(in, ErrorFinder.MAX_BLOCKS); i > 0; i--) {
        blocks.add(new Excerpt.Block(in.readUTF(), in.readLong(), lines(in)));
      }
      Optional<Excerpt.Line> lastCommand = lines(in).stream().findFirst();
      List<Excerpt.Line> tail = lines(in);
      return Optional.of(
          new LogFacts(lines, starts, new Excerpt(blocks, lastCommand, tail, lines)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void lines(DataOutputStream out, List<Excerpt.Line> lines) throws IOException {
    out.writeInt(lines.size());
    for (Excerpt.Line l : lines) {
      out.writeLong(l.number());
      out.writeUTF(l.text());
    }
  }

  private static List<Excerpt.Line> lines(DataInputStream in) throws IOException {
    List<Excerpt.Line> lines = new ArrayList<>();
    for (int i = count(in, 1000); i > 0; i--) {
      lines.add(new Excerpt.Line(in.readLong(), in.readUTF()));
    }
    return lines;
  }

  /** A count, refused when over {@code max}: a bad file never makes a huge array. */
  private static int count(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("count " + n + " out of range");
    }
    return n;
  }
}
