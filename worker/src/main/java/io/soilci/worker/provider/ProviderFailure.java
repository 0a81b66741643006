package io.soilci.worker.provider;

/**
 * The environment cannot run the job: a binary or image is missing, a container did not start. Its
 * message is one line saying what and how to fix it; the CLI exits 1.
 */
public final class ProviderFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProviderFailure(String message) {
    super(message);
  }

  public ProviderFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
