package io.soilci.server.coordinator;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;

/** What an agent reports when it is done with a job. */
public enum Outcome {
  PASSED("passed"),
  FAILED("failed"),
  SETUP_FAILED("setup-failed"),
  CANCELLED("cancelled");

  private final String id;

  Outcome(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  static Outcome parse(String value) {
    for (Outcome o : values()) {
      if (o.id.equals(value)) {
        return o;
      }
    }
    throw new BadInput(
        "outcome '"
            + Printable.of(value)
            + "' must be one of passed, failed, setup-failed, cancelled");
  }
}
