package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One job the coordinator knows: what was submitted (fixed) and where it is now (changed only by
 * {@link Coordinator}, under its lock, each change written to the log as one {@code state} record
 * before it is answered).
 */
final class QueuedJob {
  final long id;
  final long submittedMillis;
  final JobRef ref;
  final String commit;
  final @Nullable String tree;
  final String repository;
  final @Nullable String key;
  final JobSpec spec;

  JobState state = JobState.QUEUED;
  @Nullable String agent;
  int attempts;
  long leaseUntilMillis;
  long changedMillis;
  boolean cancelRequested;
  String reason = "";
  int status = -1;
  @Nullable String reusedFrom;

  /**
   * How many state records were applied to it (the distributed mode's compare-and-set: a proposed
   * state record is applied only when its {@code rev} is one past the job's); 0 on a single box.
   */
  long rev;

  /** Agents whose setup failed for it, with each one's reason: it goes to another agent. */
  final Map<String, String> setupFailedOn = new LinkedHashMap<>();

  /** Agents whose lease on it expired: their late word is refused. */
  final Set<String> expiredOn = new LinkedHashSet<>();

  QueuedJob(
      long id,
      long submittedMillis,
      JobRef ref,
      String commit,
      @Nullable String tree,
      String repository,
      @Nullable String key,
      JobSpec spec) {
    this.id = id;
    this.submittedMillis = submittedMillis;
    this.ref = ref;
    this.commit = commit;
    this.tree = tree;
    this.repository = repository;
    this.key = key;
    this.spec = spec;
    this.changedMillis = submittedMillis;
  }

  /** The {@code job} record: what was submitted. */
  ObjectNode jobRecord() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("r", "job");
    node.put("id", id);
    node.put("submitted", submittedMillis);
    node.put("host", ref.host().id());
    node.put("run", ref.run().value());
    node.put("commit", commit);
    if (tree != null) {
      node.put("tree", tree);
    }
    node.put("repository", repository);
    if (key != null) {
      node.put("key", key);
    }
    node.set("spec", spec.toJson());
    return node;
  }

  static QueuedJob fromRecord(JsonNode node) {
    JobSpec spec = JobSpec.parse(node.get("spec"), "job " + node.path("id").asLong());
    return new QueuedJob(
        node.get("id").asLong(),
        node.get("submitted").asLong(),
        new JobRef(
            WorkerHost.parse(node.get("host").asText()),
            new RunId(node.get("run").asText()),
            spec.name()),
        node.get("commit").asText(),
        node.hasNonNull("tree") ? node.get("tree").asText() : null,
        node.get("repository").asText(),
        node.hasNonNull("key") ? node.get("key").asText() : null,
        spec);
  }

  /** The {@code state} record: where it is now. */
  ObjectNode stateRecord() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("r", "state");
    node.put("id", id);
    node.put("state", state.id());
    if (agent != null) {
      node.put("agent", agent);
    }
    node.put("attempts", attempts);
    node.put("leaseUntil", leaseUntilMillis);
    node.put("changed", changedMillis);
    node.put("cancel", cancelRequested);
    node.put("reason", reason);
    node.put("status", status);
    if (reusedFrom != null) {
      node.put("reusedFrom", reusedFrom);
    }
    setupFailedOn.keySet().forEach(node.putArray("setupFailedOn")::add);
    ObjectNode errors = node.putObject("setupErrors");
    setupFailedOn.forEach(errors::put);
    expiredOn.forEach(node.putArray("expiredOn")::add);
    if (rev > 0) {
      node.put("rev", rev);
    }
    return node;
  }

  void applyState(JsonNode node) {
    state = JobState.parse(node.get("state").asText());
    agent = node.hasNonNull("agent") ? node.get("agent").asText() : null;
    attempts = node.path("attempts").asInt();
    leaseUntilMillis = node.path("leaseUntil").asLong();
    changedMillis = node.path("changed").asLong();
    cancelRequested = node.path("cancel").asBoolean();
    reason = node.path("reason").asText("");
    status = node.path("status").asInt(-1);
    reusedFrom = node.hasNonNull("reusedFrom") ? node.get("reusedFrom").asText() : null;
    setupFailedOn.clear();
    JsonNode errors = node.path("setupErrors");
    node.path("setupFailedOn")
        .forEach(n -> setupFailedOn.put(n.asText(), errors.path(n.asText()).asText("")));
    expiredOn.clear();
    node.path("expiredOn").forEach(n -> expiredOn.add(n.asText()));
    rev = node.path("rev").asLong(0);
  }

  /**
   * A copy of this job, detached from the queue, in the state {@code stateRecord} says: what a
   * change left it as, for that change's hook and answer once the queue moved it on.
   */
  QueuedJob as(JsonNode stateRecord) {
    QueuedJob copy = new QueuedJob(id, submittedMillis, ref, commit, tree, repository, key, spec);
    copy.applyState(stateRecord);
    return copy;
  }

  /** A copy of where it is now, to put back if writing a change fails. */
  ObjectNode saved() {
    return stateRecord();
  }

  /** What agents get: everything to check out and run it. */
  ObjectNode assignment(long leaseSeconds) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("id", id);
    node.put("attempt", attempts);
    node.put("leaseSeconds", leaseSeconds);
    node.put("workerHost", ref.host().id());
    node.put("runId", ref.run().value());
    node.put("commit", commit);
    node.put("repository", repository);
    node.set("job", spec.toJson());
    return node;
  }

  /** What the API and the pages show. */
  ObjectNode view() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("id", id);
    node.put("job", ref.job().value());
    node.put("runId", ref.run().value());
    node.put("workerHost", ref.host().id());
    node.put("state", state.id());
    node.put("commit", commit);
    var labels = node.putArray("labels");
    spec.labels().forEach(labels::add);
    if (agent != null) {
      node.put("agent", agent);
    }
    node.put("attempts", attempts);
    node.put("submitted", java.time.Instant.ofEpochMilli(submittedMillis).toString());
    node.put("changed", java.time.Instant.ofEpochMilli(changedMillis).toString());
    if (state == JobState.RUNNING) {
      node.put("leaseUntil", java.time.Instant.ofEpochMilli(leaseUntilMillis).toString());
      node.put("cancelRequested", cancelRequested);
    }
    if (status >= 0) {
      node.put("status", status);
    }
    if (!reason.isEmpty()) {
      node.put("reason", reason);
    }
    if (reusedFrom != null) {
      node.put("reusedFrom", reusedFrom);
    }
    if (key != null) {
      node.put("inputKey", key);
    } else if (tree != null && !InputKey.pinned(spec)) {
      node.put("notReusable", InputKey.TAG_ONLY);
    }
    return node;
  }

  List<String> labels() {
    return new ArrayList<>(spec.labels());
  }
}
