package io.soilci.server.cluster;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.WorkerHost;
import io.soilci.server.site.Site;
import io.soilci.server.upload.ResultStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Makes each kind of {@link Change} from what a request said, and applies a change to the site: the
 * replica that accepted it and every other replica run the same code on the same fields, so their
 * indexes and pages are the same. (An upload, {@code stored}, is applied by {@link ReplicaFeed}
 * after it fetched the files.)
 */
final class ChangeApplier {
  private static final String FACT = "fact.";
  private static final String STATUS_FILE = "file.";

  private final Site site;
  private final ResultStore store;

  ChangeApplier(Site site, ResultStore store) {
    this.site = site;
    this.store = store;
  }

  static Change start(
      String origin, JobRef job, long at, Map<String, String> facts, boolean statusOnEnd) {
    Map<String, String> fields = new LinkedHashMap<>();
    facts.forEach((key, value) -> fields.put(FACT + key, value));
    fields.put("statusOnEnd", Boolean.toString(statusOnEnd));
    return Change.of(ChangeKinds.START, origin, job, at, fields);
  }

  static Change taskStart(String origin, JobRef job, long at, TaskName task) {
    return Change.of(ChangeKinds.TASK_START, origin, job, at, Map.of("task", task.value()));
  }

  static Change taskDone(String origin, JobRef job, long at, TaskRow row) {
    return Change.of(
        ChangeKinds.TASK_DONE,
        origin,
        job,
        at,
        Map.of(
            "task", row.name().value(),
            "status", Integer.toString(row.status()),
            "elapsed", Double.toString(row.elapsedSeconds()),
            "script", row.scriptName(),
            "func", row.func(),
            "resultsUrl", row.resultsUrl()));
  }

  static Change done(
      String origin,
      JobRef job,
      long at,
      int status,
      boolean updateStatusApi,
      @Nullable RunId statusRunId,
      String note) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", Integer.toString(status));
    fields.put("updateStatusApi", Boolean.toString(updateStatusApi));
    if (statusRunId != null) {
      fields.put("statusRunId", statusRunId.value());
    }
    fields.put("note", note);
    return Change.of(ChangeKinds.DONE, origin, job, at, fields);
  }

  static Change heard(String origin, JobRef job, long at) {
    return Change.of(ChangeKinds.HEARD, origin, job, at, Map.of());
  }

  static Change lost(String origin, JobRef job, long lastMillis, long nowMillis) {
    return Change.of(
        ChangeKinds.LOST, origin, job, nowMillis, Map.of("last", Long.toString(lastMillis)));
  }

  static Change statusFiles(
      String origin,
      WorkerHost host,
      RunId run,
      long at,
      Map<String, byte[]> files,
      List<JobName> jobs) {
    Map<String, String> fields = new LinkedHashMap<>();
    files.forEach(
        (name, bytes) -> fields.put(STATUS_FILE + name, Base64.getEncoder().encodeToString(bytes)));
    fields.put("jobs", String.join(" ", jobs.stream().map(JobName::value).toList()));
    return Change.ofRun(ChangeKinds.STATUS_FILES, origin, host, run, at, fields);
  }

  static Change runStored(String origin, WorkerHost host, RunId run, long at) {
    return Change.ofRun(ChangeKinds.RUN_STORED, origin, host, run, at, Map.of());
  }

  /** Applies an event ({@code stored} is not one: {@link ReplicaFeed} applies it). */
  void apply(Change change) throws IOException {
    Instant at = Instant.ofEpochMilli(change.at());
    switch (change.kind()) {
      case ChangeKinds.START -> {
        Map<String, String> facts = new LinkedHashMap<>();
        change
            .fields()
            .forEach(
                (key, value) -> {
                  if (key.startsWith(FACT)) {
                    facts.put(key.substring(FACT.length()), value);
                  }
                });
        site.jobStarted(
            change.jobRef(), at, facts, Boolean.parseBoolean(change.field("statusOnEnd")));
      }
      case ChangeKinds.TASK_START ->
          site.taskStarted(change.jobRef(), new TaskName(change.field("task")), at);
      case ChangeKinds.TASK_DONE ->
          site.taskFinished(
              change.jobRef(),
              new TaskRow(
                  Integer.parseInt(change.field("status")),
                  Double.parseDouble(change.field("elapsed")),
                  new TaskName(change.field("task")),
                  change.field("script"),
                  change.field("func"),
                  change.field("resultsUrl")),
              at);
      case ChangeKinds.DONE -> {
        String statusRunId = change.fields().get("statusRunId");
        site.jobDone(
            change.jobRef(),
            Integer.parseInt(change.field("status")),
            Boolean.parseBoolean(change.field("updateStatusApi")),
            statusRunId == null ? null : new RunId(statusRunId),
            change.field("note"),
            at);
      }
      case ChangeKinds.HEARD -> site.heard(change.jobRef(), change.at());
      case ChangeKinds.LOST ->
          site.declareLost(change.jobRef(), Long.parseLong(change.field("last")), change.at());
      case ChangeKinds.STATUS_FILES -> applyStatusFiles(change);
      case ChangeKinds.RUN_STORED -> site.runStored(change.host(), change.run());
      default ->
          throw new IllegalArgumentException(
              "change kind '" + change.kind() + "' of " + change.job() + " is not an event");
    }
  }

  private void applyStatusFiles(Change change) throws IOException {
    List<JobName> jobs = new ArrayList<>();
    for (String job : change.field("jobs").split(" ")) {
      if (!job.isEmpty()) {
        jobs.add(new JobName(job));
      }
    }
    // As the upload does: recorded first, so retention deletes them only with a run that owns them.
    site.statusUploaded(change.host(), change.run(), jobs);
    for (Map.Entry<String, String> field : change.fields().entrySet()) {
      if (field.getKey().startsWith(STATUS_FILE)) {
        String name = field.getKey().substring(STATUS_FILE.length());
        store.storeStatus(
            change.host(), change.run(), name, Base64.getDecoder().decode(field.getValue()));
        site.statusFileWritten(
            SiteLayout.statusFile(
                change.host(), change.run().value(), SiteLayout.statusFileJob(name)));
      }
    }
  }
}
