package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import org.junit.jupiter.api.Test;

/**
 * A submit is checked whole before anything is queued: a run or job name the site cannot publish is
 * refused here, not after an agent ran the job and its upload was refused.
 */
class SubmissionTest {
  /** A submit of one job {@code job}, in run {@code runId} (empty: the coordinator numbers it). */
  private static Submission parse(String runId, String job) throws Exception {
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "a".repeat(40)
                + "\",\"repository\":\"/repo\","
                + (runId.isEmpty() ? "" : "\"runId\":\"" + runId + "\",")
                + "\"jobs\":[{\"name\":\""
                + job
                + "\",\"tasks\":\"t ./t.sh x -\\n\"}]}"),
        1000);
  }

  @Test
  void refusesARunNameThatASitePageTakes() {
    assertThatThrownBy(() -> parse("badges", "unit"))
        .isInstanceOf(BadInput.class)
        .hasMessage("runId 'badges' is reserved for the site's pages; use another run name");
    assertThatThrownBy(() -> parse("index.html", "unit"))
        .hasMessage("runId 'index.html' is reserved for the site's pages; use another run name");
    assertThatThrownBy(() -> parse("r.wwz", "unit"))
        .hasMessageStartingWith("runId 'r.wwz' must not end in '.wwz'");
  }

  @Test
  void refusesTheJobNameThatTheRunsOldJsonAddressTakes() {
    assertThatThrownBy(() -> parse("77", "index"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("jobs[0]: jobName 'index' is reserved");
    assertThatThrownBy(() -> parse("", "index"))
        .hasMessageStartingWith("jobs[0]: jobName 'index' is reserved");
  }
}
