package io.soilci.worker.testreport;

/** A report that cannot be read; the message says why, and where when known. */
final class Unreadable extends Exception {
  private static final long serialVersionUID = 1L;

  private final int line;

  Unreadable(String reason) {
    this(reason, 0);
  }

  /** A report unreadable because of what is on {@code line} (1-based; 0 when unknown). */
  Unreadable(String reason, int line) {
    super(reason);
    this.line = line;
  }

  int line() {
    return line;
  }
}
