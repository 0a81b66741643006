package io.soilci.result;

/**
 * A run's folder name under a host's site folder: GitHub's run number, sourcehut's job id, or
 * {@code git-HASH}.
 */
public record RunId(String value) {
  public RunId {
    SafeName.require("runId", value);
  }

  @Override
  public String toString() {
    return value;
  }
}
