package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A submitted run: the commit, where to clone it from, and its jobs. Checked whole before anything
 * is queued, so a bad submit changes nothing.
 *
 * @param commit the commit's full hash
 * @param tree the commit's tree hash (for reuse), or empty
 * @param repository what agents clone: a URL or a path on the agents' host
 * @param runId the run folder on the site, or empty for the coordinator's own numbering
 * @param force run even jobs whose inputs already passed
 * @param jobs the jobs, names unique
 */
record Submission(
    String commit,
    Optional<String> tree,
    String repository,
    Optional<RunId> runId,
    boolean force,
    List<JobSpec> jobs) {
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Set<String> KEYS =
      Set.of("commit", "tree", "repository", "runId", "force", "jobs");

  Submission {
    jobs = List.copyOf(jobs);
  }

  static Submission parse(JsonNode root, int maxJobs) {
    if (!root.isObject()) {
      throw new BadInput("submit body must be a JSON object with commit, repository and jobs");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new BadInput(
            "submit has an unknown key '"
                + Printable.of(key)
                + "'; known keys: "
                + String.join(", ", new java.util.TreeSet<>(KEYS)));
      }
    }
    String commit = hash(root, "commit").orElseThrow(() -> new BadInput("submit needs 'commit'"));
    Optional<String> tree = hash(root, "tree");
    JsonNode repo = root.get("repository");
    if (repo == null || !repo.isTextual() || repo.asText().isBlank()) {
      throw new BadInput(
          "submit needs 'repository': what agents clone, e.g. https://example.org/project.git");
    }
    String repository = repo.asText();
    if (repository.length() > 2000
        || repository.startsWith("-")
        || repository.chars().anyMatch(c -> c < ' ' || c == 127)) {
      throw new BadInput(
          "repository '"
              + Printable.of(repository)
              + "' must be a URL or path of at most 2000 characters, without control characters,"
              + " not starting with '-'");
    }
    Optional<RunId> runId = Optional.empty();
    JsonNode run = root.get("runId");
    if (run != null && !run.isNull()) {
      RunId id = new RunId(run.asText());
      SiteLayout.requireRunName(id);
      runId = Optional.of(id);
    }
    JsonNode force = root.get("force");
    if (force != null && !force.isNull() && !force.isBoolean()) {
      throw new BadInput("force must be true or false");
    }
    JsonNode jobsNode = root.get("jobs");
    if (jobsNode == null || !jobsNode.isArray() || jobsNode.isEmpty()) {
      throw new BadInput("submit needs 'jobs': a non-empty array of jobs");
    }
    if (jobsNode.size() > maxJobs) {
      throw new BadInput(
          "submit has "
              + jobsNode.size()
              + " jobs, more than the "
              + maxJobs
              + " one submit may hold (coordinator.maxJobsPerSubmit); split it into several runs");
    }
    List<JobSpec> jobs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < jobsNode.size(); i++) {
      JobSpec spec = JobSpec.parse(jobsNode.get(i), "jobs[" + i + "]");
      // Checked here, not where the queue log is read: a job queued before stays readable.
      try {
        SiteLayout.requireJobName(spec.name());
      } catch (BadInput e) {
        throw new BadInput("jobs[" + i + "]: " + e.getMessage(), e);
      }
      if (!names.add(spec.name().value())) {
        throw new BadInput(
            "jobs[" + i + "] name '" + spec.name().value() + "' is given twice; names must differ");
      }
      jobs.add(spec);
    }
    return new Submission(
        commit, tree, repository, runId, force != null && force.asBoolean(false), jobs);
  }

  private static Optional<String> hash(JsonNode root, String key) {
    JsonNode value = root.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    String text = value.asText();
    if (!value.isTextual() || !HASH.matcher(text).matches()) {
      throw new BadInput(
          key
              + " '"
              + Printable.of(text)
              + "' must be a full git hash: 40 (or 64) lowercase hex digits, e.g. from git"
              + " rev-parse HEAD");
    }
    return Optional.of(text);
  }
}
