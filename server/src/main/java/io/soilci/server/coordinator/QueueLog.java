package io.soilci.server.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.files.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The coordinator's durable store: an append-only file of records, one a line as {@code CRC32 JSON}
 * (the CRC-32 of the JSON's UTF-8 bytes in 8 hex digits), each batch written and {@code fsync}'d
 * before the request that made it is answered. A crash can only cut the last line short; reading
 * drops such a tail (its request was never answered) and truncates it. A bad line before the last
 * cannot come from a crash: the server refuses to start and names the file and line. {@link
 * #rewrite} compacts: the live records to a temp file, synced, renamed over the log.
 */
final class QueueLog implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private FileChannel channel;
  private long records;
  private long compactAt;

  private QueueLog(Path file, FileChannel channel, long records) {
    this.file = file;
    this.channel = channel;
    this.records = records;
  }

  /** Opens (or creates) the log at {@code file}; every intact record is given to the list. */
  static QueueLog open(Path file, List<ObjectNode> into) throws IOException {
    Files.createDirectories(java.util.Objects.requireNonNull(file.toAbsolutePath().getParent()));
    long goodBytes = 0;
    long count = 0;
    if (Files.exists(file)) {
      try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ);
          BufferedReader reader =
              new BufferedReader(
                  new InputStreamReader(Channels.newInputStream(read), StandardCharsets.UTF_8))) {
        String line;
        int number = 0;
        @Nullable String bad = null;
        int badLine = 0;
        while ((line = reader.readLine()) != null) {
          number++;
          if (bad != null) {
            throw new IOException(
                file
                    + " line "
                    + badLine
                    + " is damaged ("
                    + bad
                    + ") and is not the last line, so no crash cut it: restore the file from a"
                    + " backup, or move it away to start with an empty queue");
          }
          ObjectNode record = parse(line);
          if (record == null) {
            bad = "CRC or JSON does not match";
            badLine = number;
            continue;
          }
          into.add(record);
          count++;
          goodBytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
      }
    }
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    if (channel.size() > goodBytes) {
      // A line cut short by a crash (or a last line without its newline): never answered, dropped.
      channel.truncate(goodBytes);
      channel.force(true);
    }
    channel.position(goodBytes);
    return new QueueLog(file, channel, count);
  }

  private static @Nullable ObjectNode parse(String line) {
    if (line.length() < 10 || line.charAt(8) != ' ') {
      return null;
    }
    String json = line.substring(9);
    CRC32 crc = new CRC32();
    crc.update(json.getBytes(StandardCharsets.UTF_8));
    if (!String.format("%08x", crc.getValue()).equals(line.substring(0, 8))) {
      return null;
    }
    try {
      return JSON.readTree(json) instanceof ObjectNode node ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static byte[] lines(List<ObjectNode> batch) throws JsonProcessingException {
    StringBuilder text = new StringBuilder();
    for (ObjectNode record : batch) {
      String json = JSON.writeValueAsString(record);
      CRC32 crc = new CRC32();
      crc.update(json.getBytes(StandardCharsets.UTF_8));
      text.append(HexFormat.of().toHexDigits((int) crc.getValue())).append(' ').append(json);
      text.append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Appends the records and makes them durable before returning. */
  void append(List<ObjectNode> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    ByteBuffer bytes = ByteBuffer.wrap(lines(batch));
    long start = channel.position();
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(false);
    } catch (IOException e) {
      // What did not reach the disk must not be followed by later records: cut it off again.
      try {
        channel.truncate(start);
        channel.position(start);
      } catch (IOException ignored) {
        e.addSuppressed(ignored);
      }
      throw e;
    }
    records += batch.size();
  }

  /** Whether the log holds twice the records of its last rewrite (at least 1000): compact it. */
  boolean due() {
    return records >= compactAt;
  }

  /** Records in the file now. */
  long records() {
    return records;
  }

  /** Replaces the log with {@code live}, atomically (temp file, fsync, rename, fsync folder). */
  void rewrite(List<ObjectNode> live) throws IOException {
    Path temp = AtomicFiles.createTemp(file);
    try {
      Files.write(temp, lines(new ArrayList<>(live)), StandardOpenOption.WRITE);
      AtomicFiles.commit(temp, file);
    } finally {
      Files.deleteIfExists(temp);
    }
    FileChannel old = channel;
    channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    channel.position(channel.size());
    records = live.size();
    compactAt = Math.max(1_000, live.size() * 2L);
    old.close();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
