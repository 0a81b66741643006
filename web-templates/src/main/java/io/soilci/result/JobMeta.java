package io.soilci.result;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A job's {@code JOB.json}: a flat object of strings (or null) in Soil's keys, order kept, unknown
 * keys kept. Only {@code job-name} is required.
 */
public final class JobMeta {
  public static final String JOB_NAME = "job-name";
  public static final String COMMIT_HASH = "commit-hash";
  public static final String COMMIT_DATE = "commit-date";
  public static final String COMMIT_LINE = "commit-line";
  public static final String TASK_RUN_START_TIME = "task-run-start-time";
  public static final String TASK_DEPLOY_START_TIME = "task-deploy-start-time";
  public static final String IMAGE_PULL_TIME = "image-pull-time";
  public static final String IMAGES_TAGGED = "images-tagged";
  public static final String IMAGE_LAYERS = "image-layers";

  /** Ours: {@code hit} or {@code miss}, for a job run in a cached workspace. */
  public static final String WORKSPACE_CACHE = "workspace-cache";

  /** Ours: seconds spent making the job's workspace ready, e.g. {@code 0.412}. */
  public static final String WORKSPACE_PREPARE_TIME = "workspace-prepare-time";

  /**
   * Ours: the signal that cancelled the job, {@code SIGTERM} or {@code SIGINT}; absent for a job
   * that ran to its end. Pages say "cancelled".
   */
  public static final String JOB_CANCELLED = "job-cancelled";

  /** Ours: the coordinator's agent that ran the job (absent for a job a CI host ran). */
  public static final String AGENT = "agent";

  /** Ours: the coordinator's id of the job an agent ran, e.g. {@code 17}. */
  public static final String COORDINATOR_JOB = "coordinator-job";

  /** Ours: how many of the job's test cases passed (only when it declared test reports). */
  public static final String TESTS_PASSED = "tests-passed";

  /** Ours: how many test cases failed. */
  public static final String TESTS_FAILED = "tests-failed";

  /** Ours: how many test cases ended in an error (JUnit's {@code <error>}). */
  public static final String TESTS_ERRORS = "tests-errors";

  /** Ours: how many test cases were skipped (TAP's {@code # SKIP} and {@code # TODO}). */
  public static final String TESTS_SKIPPED = "tests-skipped";

  /** Ours: how many declared report files could not be read. */
  public static final String TEST_REPORTS_UNREADABLE = "test-reports-unreadable";

  /** Our test count keys, in the order the worker writes them. */
  public static final java.util.List<String> TEST_COUNT_KEYS =
      java.util.List.of(
          TESTS_PASSED, TESTS_FAILED, TESTS_ERRORS, TESTS_SKIPPED, TEST_REPORTS_UNREADABLE);

  public static final String JOB_URL = "JOB_URL";
  public static final String JOB_ID = "JOB_ID";
  public static final String GITHUB_WORKFLOW = "GITHUB_WORKFLOW";
  public static final String GITHUB_RUN_ID = "GITHUB_RUN_ID";
  public static final String GITHUB_RUN_NUMBER = "GITHUB_RUN_NUMBER";
  public static final String GITHUB_JOB = "GITHUB_JOB";
  public static final String GITHUB_ACTION = "GITHUB_ACTION";
  public static final String GITHUB_REF = "GITHUB_REF";
  public static final String GITHUB_PR_NUMBER = "GITHUB_PR_NUMBER";
  public static final String GITHUB_PR_HEAD_REF = "GITHUB_PR_HEAD_REF";
  public static final String GITHUB_PR_HEAD_SHA = "GITHUB_PR_HEAD_SHA";

  /**
   * The CI host's variables a start event carries (the worker sends them, the server accepts them):
   * they name the branch, the PR, the status API's run id and the CI job.
   */
  public static final java.util.List<String> START_EVENT_ENV =
      java.util.List.of(
          GITHUB_REF,
          GITHUB_PR_NUMBER,
          GITHUB_PR_HEAD_REF,
          GITHUB_PR_HEAD_SHA,
          GITHUB_RUN_ID,
          JOB_URL);

  /** Every key a start event may carry: the commit facts, then {@link #START_EVENT_ENV}. */
  public static final java.util.List<String> START_EVENT_KEYS =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(COMMIT_HASH, COMMIT_DATE, COMMIT_LINE),
              START_EVENT_ENV.stream())
          .toList();

  /** The environment variables Soil records on GitHub Actions, in its order. */
  public static final java.util.List<String> GITHUB_ENV =
      java.util.List.of(
          JOB_URL,
          GITHUB_WORKFLOW,
          GITHUB_RUN_ID,
          GITHUB_RUN_NUMBER,
          GITHUB_JOB,
          GITHUB_ACTION,
          GITHUB_REF,
          GITHUB_PR_NUMBER,
          GITHUB_PR_HEAD_REF,
          GITHUB_PR_HEAD_SHA);

  /** The environment variables Soil records on sourcehut, in its order. */
  public static final java.util.List<String> SOURCEHUT_ENV = java.util.List.of(JOB_ID, JOB_URL);

  private final Map<String, @Nullable String> values;

  /**
   * Copies {@code values}; it must hold a valid {@code job-name}, and the facts pages compute with
   * (times, dates, numbers) must keep {@link MetaRules}.
   */
  public JobMeta(Map<String, @Nullable String> values) {
    String name = values.get(JOB_NAME);
    if (name == null) {
      throw new BadInput("JOB.json must have a string \"" + JOB_NAME + "\"");
    }
    new JobName(name);
    MetaRules.check(values);
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Every key and value, in file order. */
  public Map<String, @Nullable String> values() {
    return values;
  }

  /** The value of {@code key}, absent when missing or null. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  public JobName jobName() {
    return new JobName(java.util.Objects.requireNonNull(values.get(JOB_NAME)));
  }

  /** The commit the job tested: the PR head for a pull request, else {@code commit-hash}. */
  public Optional<String> commit() {
    return pullRequest().isPresent()
        ? get(GITHUB_PR_HEAD_SHA).or(() -> get(COMMIT_HASH))
        : get(COMMIT_HASH);
  }

  /** "PR #n from ref" when both PR variables are set. */
  public Optional<String> pullRequest() {
    Optional<String> number = get(GITHUB_PR_NUMBER);
    Optional<String> ref = get(GITHUB_PR_HEAD_REF);
    if (number.isEmpty() || ref.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("PR #" + number.get() + " from " + ref.get());
  }

  /** {@code task-run-start-time} as epoch seconds, when present and numeric. */
  public Optional<Long> taskRunStartTime() {
    return get(TASK_RUN_START_TIME).flatMap(JobMeta::epochSeconds);
  }

  /** The branch name from {@code GITHUB_REF} ({@code refs/heads/X}), when present. */
  public Optional<String> branch() {
    return get(GITHUB_REF)
        .filter(ref -> ref.startsWith("refs/heads/"))
        .map(ref -> ref.substring("refs/heads/".length()));
  }

  private static Optional<Long> epochSeconds(String text) {
    try {
      return Optional.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JobMeta other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "JobMeta" + values;
  }
}
