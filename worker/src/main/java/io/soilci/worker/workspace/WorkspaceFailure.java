package io.soilci.worker.workspace;

/**
 * An expected failure while preparing or resetting a workspace (a clone that fails, a setup script
 * that exits non-zero, podman missing): the CLI prints its one-line message and exits 1.
 */
public final class WorkspaceFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkspaceFailure(String message) {
    super(message);
  }

  public WorkspaceFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
