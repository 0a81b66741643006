package io.soilci.server.site;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * A stored job's task rows as the index snapshot holds them ({@link IndexSnapshot}), made into
 * {@link TaskRow}s only when first asked for: a start reads 800,000 rows of 100,000 jobs and
 * renders few of them, and making a row checks each of its fields again. Immutable as a list; the
 * bytes are dropped once the rows are made. The bytes are self-contained (their strings written
 * once each within them), so a snapshot written at stop copies the bytes of rows never made.
 */
final class StoredRows extends AbstractList<TaskRow> implements RandomAccess {
  private final int size;
  private byte @Nullable [] bytes;
  private @Nullable List<TaskRow> rows;

  private StoredRows(int size, byte[] bytes) {
    this.size = size;
    this.bytes = bytes;
  }

  /**
   * The rows {@code bytes} (as {@link #encode} made them) hold, made later; throws {@link
   * IOException} when the count in front is out of range.
   */
  static StoredRows of(byte[] bytes) throws IOException {
    int count;
    try {
      count = varint(ByteBuffer.wrap(bytes));
    } catch (BufferUnderflowException e) {
      throw new IOException("a job's task rows are cut short", e);
    }
    if (count < 0 || count > TaskRows.MAX_ROWS) {
      throw new IOException(
          "a job's task rows: count " + count + " must be 0-" + TaskRows.MAX_ROWS);
    }
    return new StoredRows(count, bytes);
  }

  /** The bytes of {@code rows}: this list's own when they were never made into rows. */
  static byte[] encode(List<TaskRow> rows) {
    if (rows instanceof StoredRows stored) {
      byte[] kept = stored.keptBytes();
      if (kept != null) {
        return kept;
      }
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 + rows.size() * 48);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      Map<String, Integer> seen = new HashMap<>();
      varint(out, rows.size());
      for (TaskRow row : rows) {
        varint(out, row.status());
        out.writeDouble(row.elapsedSeconds());
        for (String s :
            new String[] {row.name().value(), row.scriptName(), row.func(), row.resultsUrl()}) {
          Integer id = seen.get(s);
          if (id != null) {
            varint(out, id + 1);
          } else {
            seen.put(s, seen.size());
            byte[] text = s.getBytes(StandardCharsets.UTF_8);
            varint(out, 0);
            varint(out, text.length);
            out.write(text);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return buffer.toByteArray();
  }

  private synchronized byte @Nullable [] keptBytes() {
    return bytes;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public TaskRow get(int index) {
    return rows().get(index);
  }

  private synchronized List<TaskRow> rows() {
    List<TaskRow> made = rows;
    if (made == null) {
      made = decode(java.util.Objects.requireNonNull(bytes));
      rows = made;
      bytes = null;
    }
    return made;
  }

  /**
   * Makes the rows; the snapshot's checksum was checked when it was read, so bytes that do not
   * decode mean a bug, not a damaged file.
   */
  private List<TaskRow> decode(byte[] from) {
    ByteBuffer in = ByteBuffer.wrap(from);
    try {
      int count = varint(in);
      List<String> seen = new ArrayList<>();
      List<TaskRow> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int status = varint(in);
        double elapsed = in.getDouble();
        String name = string(in, seen);
        out.add(
            new TaskRow(
                status,
                elapsed,
                new TaskName(name),
                string(in, seen),
                string(in, seen),
                string(in, seen)));
      }
      return List.copyOf(out);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the index snapshot's task rows do not decode: " + e, e);
    }
  }

  private static String string(ByteBuffer in, List<String> seen) {
    int id = varint(in);
    if (id > 0) {
      return seen.get(id - 1);
    }
    byte[] text = new byte[varint(in)];
    in.get(text);
    String s = new String(text, StandardCharsets.UTF_8);
    seen.add(s);
    return s;
  }

  private static void varint(DataOutputStream out, int value) throws IOException {
    int v = value;
    while ((v & ~0x7f) != 0) {
      out.writeByte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  private static int varint(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.get() & 0xff;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("a number longer than 5 bytes");
  }
}
