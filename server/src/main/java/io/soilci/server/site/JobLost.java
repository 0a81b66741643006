package io.soilci.server.site;

/**
 * A running job's event or live log arrived after the server declared the job lost (its lease ran
 * out): refused, the job stays lost. Its files (an upload) or a new start event are accepted.
 */
public final class JobLost extends RuntimeException {
  private static final long serialVersionUID = 1L;

  JobLost(String message) {
    super(message);
  }
}
