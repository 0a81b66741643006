package io.soilci.result;

/** A job's name as it appears in URLs and file names. */
public record JobName(String value) {
  public JobName {
    SafeName.require("jobName", value);
  }

  @Override
  public String toString() {
    return value;
  }
}
