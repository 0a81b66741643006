package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import java.util.ArrayList;
import java.util.List;

/** A submit as made from the queue as it is now: its jobs, its records, its answer. */
record Planned(
    RunId run,
    List<QueuedJob> made,
    List<QueuedJob> reused,
    List<ObjectNode> records,
    ObjectNode answer) {

  /**
   * Plans {@code submission} at {@code now}: a job whose inputs passed before is reused (unless
   * forced), the others are queued; refused (503) when the queue would hold more than it may. In
   * the distributed mode ({@code proposed}) a reused job's state record is its first change.
   */
  static Planned of(
      Submission submission,
      QueueState state,
      CoordinatorSettings settings,
      long now,
      boolean proposed) {
    RunId run = submission.runId().orElse(new RunId("soil-" + state.nextRun));
    int toQueue = 0;
    List<QueuedJob> made = new ArrayList<>();
    List<QueuedJob> reused = new ArrayList<>();
    long id = state.nextId;
    for (JobSpec spec : submission.jobs()) {
      String key = submission.tree().map(tree -> InputKey.of(tree, spec)).orElse(null);
      QueuedJob job =
          new QueuedJob(
              id++,
              now,
              new JobRef(WorkerHost.GITHUB, run, spec.name()),
              submission.commit(),
              submission.tree().orElse(null),
              submission.repository(),
              key,
              spec);
      String from = key == null || submission.force() ? null : state.passed.get(key);
      if (from != null) {
        job.state = JobState.REUSED;
        job.reusedFrom = from;
        job.status = 0;
        job.reason = "reused: " + from + " passed with the same inputs (key " + key + ")";
        if (proposed) {
          job.rev = 1;
        }
        reused.add(job);
      } else {
        toQueue++;
      }
      made.add(job);
    }
    if (state.queued + toQueue > settings.maxQueuedJobs()) {
      throw HttpError.busy(
          "the queue holds "
              + state.queued
              + " jobs and this submit adds "
              + toQueue
              + ", past the most it may hold ("
              + settings.maxQueuedJobs()
              + ", coordinator.maxQueuedJobs); nothing was queued, retry in 30 seconds",
          30);
    }
    List<ObjectNode> records = new ArrayList<>();
    for (QueuedJob job : made) {
      ObjectNode record = job.jobRecord();
      if (submission.runId().isEmpty()) {
        record.put("runNumber", state.nextRun);
      }
      records.add(record);
      if (job.state != JobState.QUEUED) {
        records.add(job.stateRecord());
      }
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    answer.put("runId", run.value());
    answer.put("workerHost", WorkerHost.GITHUB.id());
    ArrayNode list = answer.putArray("jobs");
    for (QueuedJob job : made) {
      list.add(job.view());
    }
    return new Planned(run, made, reused, records, answer);
  }
}
