package io.soilci.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import io.soilci.server.live.LivePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One change of the live logs on the live stream ({@link ClusterLive}): a job started by a worker,
 * a chunk of a task's log at its position (and, when the worker said it, at byte {@code sent} of
 * the worker's log), a task's or the job's end. Encoded as one line of JSON (with a version)
 * followed by the chunk's bytes as the worker sent them.
 */
record LiveMessage(
    Kind kind,
    JobRef job,
    @Nullable TaskName task,
    String worker,
    @Nullable LivePosition at,
    OptionalLong sent,
    int status,
    byte[] chunk) {
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What happened. */
  enum Kind {
    START,
    CHUNK,
    TASK_END,
    DONE
  }

  static LiveMessage start(JobRef job, String worker) {
    return new LiveMessage(
        Kind.START, job, null, worker, null, OptionalLong.empty(), 0, new byte[0]);
  }

  static LiveMessage chunk(
      JobRef job, TaskName task, String worker, LivePosition at, OptionalLong sent, byte[] chunk) {
    return new LiveMessage(Kind.CHUNK, job, task, worker, at, sent, 0, chunk);
  }

  static LiveMessage taskEnd(JobRef job, TaskName task, int status) {
    return new LiveMessage(
        Kind.TASK_END, job, task, "", null, OptionalLong.empty(), status, new byte[0]);
  }

  static LiveMessage done(JobRef job, int status) {
    return new LiveMessage(
        Kind.DONE, job, null, "", null, OptionalLong.empty(), status, new byte[0]);
  }

  byte[] encode() {
    ObjectNode head = JSON.createObjectNode();
    head.put("version", VERSION);
    head.put("kind", kind.name());
    head.put("host", job.host().id());
    head.put("run", job.run().value());
    head.put("job", job.job().value());
    if (task != null) {
      head.put("task", task.value());
    }
    head.put("worker", worker);
    if (at != null) {
      head.put("offset", at.offset());
      head.put("lines", at.lines());
      head.put("lineStart", at.lineStart());
    }
    if (sent.isPresent()) {
      head.put("sent", sent.getAsLong());
    }
    head.put("status", status);
    byte[] line;
    try {
      line = JSON.writeValueAsBytes(head);
    } catch (IOException e) {
      throw new IllegalStateException("a map of strings and numbers is JSON", e);
    }
    byte[] bytes = Arrays.copyOf(line, line.length + 1 + chunk.length);
    bytes[line.length] = '\n';
    System.arraycopy(chunk, 0, bytes, line.length + 1, chunk.length);
    return bytes;
  }

  /** The message {@code bytes} hold; IllegalArgumentException when they are not one. */
  static LiveMessage decode(byte[] bytes) {
    int newline = 0;
    while (newline < bytes.length && bytes[newline] != '\n') {
      newline++;
    }
    if (newline == bytes.length) {
      throw new IllegalArgumentException("a live message begins with a line of JSON");
    }
    JsonNode head;
    try {
      head = JSON.readTree(new String(bytes, 0, newline, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("a live message's first line is not JSON: " + e, e);
    }
    if (head.path("version").asInt() != VERSION) {
      throw new IllegalArgumentException(
          "live message version " + head.path("version") + ", this server reads " + VERSION);
    }
    Kind kind = Kind.valueOf(head.path("kind").asText());
    JobRef job =
        new JobRef(
            WorkerHost.parse(head.path("host").asText()),
            new RunId(head.path("run").asText()),
            new JobName(head.path("job").asText()));
    TaskName task = head.has("task") ? new TaskName(head.path("task").asText()) : null;
    LivePosition at =
        head.has("offset")
            ? new LivePosition(
                head.path("offset").asLong(),
                head.path("lines").asLong(),
                head.path("lineStart").asBoolean())
            : null;
    OptionalLong sent = OptionalLong.empty();
    if (head.has("sent")) {
      if (!head.path("sent").canConvertToLong() || head.path("sent").asLong() < 0) {
        throw new IllegalArgumentException(
            "live message "
                + kind
                + " of "
                + job
                + ": sent "
                + head.path("sent")
                + " is no offset");
      }
      sent = OptionalLong.of(head.path("sent").asLong());
    }
    if (kind == Kind.CHUNK && at == null) {
      throw new IllegalArgumentException("live message " + kind + " of " + job + " without offset");
    }
    if ((kind == Kind.CHUNK || kind == Kind.TASK_END) && task == null) {
      throw new IllegalArgumentException("live message " + kind + " of " + job + " without task");
    }
    return new LiveMessage(
        kind,
        job,
        task,
        head.path("worker").asText(),
        at,
        sent,
        head.path("status").asInt(),
        Arrays.copyOfRange(bytes, newline + 1, bytes.length));
  }
}
