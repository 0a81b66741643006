package io.soilci.server.coordinator;

/** Submissions for the coordinator's tests. */
final class Submissions {
  private Submissions() {}

  /** Commit {@code aaa…} of {@code /repo} with {@code jobs} (each one job's JSON object). */
  static Submission of(String... jobs) throws Exception {
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "a".repeat(40)
                + "\",\"repository\":\"/repo\",\"jobs\":["
                + String.join(",", jobs)
                + "]}"),
        1000);
  }
}
