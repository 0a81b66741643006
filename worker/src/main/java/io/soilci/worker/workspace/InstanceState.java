package io.soilci.worker.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * The state of one job's instance of a workspace: {@code in-use} from the moment a job gets it
 * until it is reset, {@code clean} after; the prepared generation it was copied from and the
 * fingerprint it had when it was last made clean.
 */
record InstanceState(
    @JsonProperty("state") String state,
    @JsonProperty("generation") long generation,
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("job") @Nullable String job,
    @JsonProperty("since") long since) {
  static final String IN_USE = "in-use";
  static final String CLEAN = "clean";

  boolean inUse() {
    return IN_USE.equals(state);
  }

  InstanceState takenBy(String job, long now) {
    return new InstanceState(IN_USE, generation, fingerprint, job, now);
  }
}
