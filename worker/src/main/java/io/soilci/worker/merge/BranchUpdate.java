package io.soilci.worker.merge;

/** Moves a branch forward to a commit, refusing anything but a fast-forward. */
interface BranchUpdate {
  /** Fast-forwards {@code branch} to {@code sha}; throws {@code WorkerFailure} when refused. */
  void fastForward(String branch, String sha);

  /** Where the branch lives, for messages. */
  String describe(String branch);
}
