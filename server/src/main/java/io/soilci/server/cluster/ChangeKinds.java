package io.soilci.server.cluster;

/** The kinds of {@link Change} and the names of their fields. */
final class ChangeKinds {
  static final String STORED = "stored";
  static final String START = "start";
  static final String TASK_START = "task-start";
  static final String TASK_DONE = "task-done";
  static final String DONE = "done";
  static final String LOST = "lost";
  static final String HEARD = "heard";
  static final String STATUS_FILES = "status-files";
  static final String RUN_STORED = "run-stored";

  /** {@code stored}: the SHA-256 of the wwz, tsv and JSON, joined by {@code +}. */
  static final String FILES_SHA256 = "sha256";

  /** {@code stored}: the JSON file's modification time at its origin, epoch seconds. */
  static final String JSON_MODIFIED = "json-modified";

  /**
   * {@code stored}, sent again: the sequence of the earlier copy of the same files, which a later
   * upload of the job replaced; part of the message id, so the upload is a message of its own.
   */
  static final String AGAIN_AFTER = "again-after";

  private ChangeKinds() {}
}
