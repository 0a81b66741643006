package io.soilci.server.site;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.MetaRules;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running job's state on disk: {@code RUN/.running/JOB.json}, written atomically after each event
 * (synced with the pages, {@link PageJournal}), deleted when the job's files are stored. The
 * dot-folder is never served. It is no page: it is written from the index under the job's lock, so
 * the last writer leaves the newest state, and retention deletes it with the run's folder.
 */
final class RunningFiles {
  /** Larger state files are refused; one holds at most a job's task rows. */
  static final long MAX_BYTES = 4L << 20;

  private final SiteLayout layout;
  private final SiteIndex index;
  private final RunLocks locks;
  private final PageJournal journal;

  RunningFiles(SiteLayout layout, SiteIndex index, RunLocks locks, PageJournal journal) {
    this.layout = layout;
    this.index = index;
    this.locks = locks;
    this.journal = journal;
  }

  /**
   * Writes the job's state file from the index as it is now, or deletes it when the job no longer
   * runs. The caller holds the job's run ({@link RunLocks#use}).
   */
  void save(JobRef job) throws IOException {
    ReentrantLock lock = locks.job(job);
    lock.lock();
    try {
      JobEntry entry = index.job(job);
      RunningJob running = entry == null ? null : entry.running();
      Path file = layout.path(SiteLayout.runningFile(job));
      if (running != null) {
        journal.write(file, format(running));
      } else if (Files.deleteIfExists(file)) {
        journal.deleted(file);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code runningTasks} (task: epoch seconds it started); a file of a server before {@code
   * --parallel} has one {@code currentTask} and its {@code currentSince} instead.
   */
  private static Map<String, Long> runningTasks(JsonNode node) {
    Map<String, Long> tasks = new LinkedHashMap<>();
    if (node.has("runningTasks")) {
      node.path("runningTasks")
          .properties()
          .forEach(
              e ->
                  tasks.put(
                      new TaskName(e.getKey()).value(),
                      MetaRules.requireEpoch("runningTasks", e.getValue().asLong())));
    } else if (!node.path("currentTask").asText("").isEmpty()) {
      tasks.put(
          new TaskName(node.path("currentTask").asText()).value(),
          MetaRules.requireEpoch("currentSince", node.path("currentSince").asLong()));
    }
    return tasks;
  }

  static byte[] format(RunningJob job) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("startedEpoch", job.startedEpoch());
    out.put("runningTasks", job.runningTasks());
    out.put("doneStatus", job.doneStatus());
    out.put("statusRunId", job.statusRunId());
    out.put("endNote", job.endNote());
    out.put("startMeta", job.startMeta());
    out.put("statusOnEnd", job.statusOnEnd());
    List<Object> rows = new ArrayList<>();
    for (TaskRow row : job.finished()) {
      rows.add(
          List.of(
              row.status(),
              row.elapsedSeconds(),
              row.name().value(),
              row.scriptName(),
              row.func(),
              row.resultsUrl()));
    }
    out.put("finished", rows);
    return JsonPages.write(out);
  }

  /** The start event's facts, checked by JOB.json's rules again; none when the file has none. */
  private static Map<String, String> startMeta(JsonNode node) {
    Map<String, String> values = new LinkedHashMap<>();
    node.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
    if (!values.isEmpty()) {
      new JobMeta(new LinkedHashMap<>(values));
    }
    return values;
  }

  /** Reads a state file; a malformed one is an {@link IOException} naming the file. */
  static RunningJob read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
    }
    try {
      JsonNode node = JsonPages.MAPPER.readTree(file.toFile());
      List<TaskRow> rows = new ArrayList<>();
      for (JsonNode row : node.path("finished")) {
        rows.add(
            new TaskRow(
                row.get(0).asInt(),
                row.get(1).asDouble(),
                new TaskName(row.get(2).asText()),
                row.get(3).asText(),
                row.get(4).asText(),
                row.get(5).asText()));
      }
      JsonNode done = node.path("doneStatus");
      if (done.isInt() && (done.asInt() < 0 || done.asInt() > 255)) {
        throw new IllegalArgumentException("doneStatus " + done.asInt() + " must be 0-255");
      }
      return new RunningJob(
          MetaRules.requireEpoch("startedEpoch", node.path("startedEpoch").asLong()),
          rows,
          runningTasks(node),
          done.isInt() ? done.asInt() : null,
          node.path("statusRunId").asText(""),
          node.path("endNote").asText(""),
          startMeta(node.path("startMeta")),
          node.path("statusOnEnd").asBoolean(false));
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a running-job state: " + e.getMessage(), e);
    }
  }
}
