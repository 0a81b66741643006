package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueLogTest {
  @TempDir Path dir;

  private static ObjectNode record(int n) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("r", "state");
    node.put("id", n);
    node.put("text", "tab\there, line\nthere, é");
    return node;
  }

  private List<ObjectNode> reopen(Path file) throws IOException {
    List<ObjectNode> read = new ArrayList<>();
    QueueLog.open(file, read).close();
    return read;
  }

  @Test
  void recordsAppendedAreReadBackInOrder() throws IOException {
    Path file = dir.resolve("queue.log");
    try (QueueLog log = QueueLog.open(file, new ArrayList<>())) {
      log.append(List.of(record(1), record(2)));
      log.append(List.of(record(3)));
    }

    assertThat(reopen(file)).containsExactly(record(1), record(2), record(3));
  }

  @Test
  void aLastLineCutShortByACrashIsDroppedAndTheFileTruncated() throws IOException {
    Path file = dir.resolve("queue.log");
    try (QueueLog log = QueueLog.open(file, new ArrayList<>())) {
      log.append(List.of(record(1), record(2)));
    }
    long good = Files.size(file);
    // Half of a third record, as a crash in the middle of its write leaves it.
    Files.write(
        file, "0badc0de {\"r\":\"sta".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    List<ObjectNode> read = new ArrayList<>();
    try (QueueLog log = QueueLog.open(file, read)) {
      assertThat(read).containsExactly(record(1), record(2));
      assertThat(Files.size(file)).isEqualTo(good);
      log.append(List.of(record(3)));
    }
    assertThat(reopen(file)).containsExactly(record(1), record(2), record(3));
  }

  @Test
  void aDamagedLineBeforeTheLastStopsTheStartNamingIt() throws IOException {
    Path file = dir.resolve("queue.log");
    try (QueueLog log = QueueLog.open(file, new ArrayList<>())) {
      log.append(List.of(record(1), record(2), record(3)));
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(1, lines.get(1).replace("\"id\":2", "\"id\":7"));
    Files.write(file, lines);

    assertThatThrownBy(() -> reopen(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("queue.log line 2 is damaged (CRC or JSON does not match)")
        .hasMessageContaining("not the last line, so no crash cut it");
  }

  @Test
  void aRewriteReplacesTheLogWhole() throws IOException {
    Path file = dir.resolve("queue.log");
    try (QueueLog log = QueueLog.open(file, new ArrayList<>())) {
      log.append(List.of(record(1), record(2), record(3)));
      log.rewrite(List.of(record(3)));
      assertThat(log.records()).isEqualTo(1);
      log.append(List.of(record(4)));
    }

    assertThat(reopen(file)).containsExactly(record(3), record(4));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("queue.log");
    }
  }
}
