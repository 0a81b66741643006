package io.soilci.server.coordinator;

import io.soilci.result.BadInput;

/** Where a coordinator job is: waiting, held by an agent, or ended (every state but two). */
enum JobState {
  QUEUED("queued"),
  RUNNING("running"),
  PASSED("passed"),
  FAILED("failed"),
  SETUP_FAILED("setup-failed"),
  CANCELLED("cancelled"),
  LOST("lost"),
  REUSED("reused");

  private final String id;

  JobState(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  boolean ended() {
    return this != QUEUED && this != RUNNING;
  }

  static JobState parse(String id) {
    for (JobState state : values()) {
      if (state.id.equals(id)) {
        return state;
      }
    }
    throw new BadInput("job state '" + id + "' is unknown");
  }
}
