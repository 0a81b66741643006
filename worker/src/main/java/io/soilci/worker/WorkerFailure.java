package io.soilci.worker;

/**
 * An expected failure of the worker's environment (server unreachable, token refused, files
 * missing): the command prints its one-line message and exits 1.
 */
public final class WorkerFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkerFailure(String message) {
    super(message);
  }

  public WorkerFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
