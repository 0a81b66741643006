package io.soilci.worker.run;

/** The signals that cancel a job: what a CI host sends when someone cancels its run. */
public enum StopSignal {
  /** GitHub Actions sends it first on cancel; Ctrl-C in a terminal. */
  INT(2),
  /** GitHub Actions sends it 7.5 s after SIGINT; {@code kill}, systemd, container stop. */
  TERM(15);

  private final int number;

  StopSignal(int number) {
    this.number = number;
  }

  /** {@code SIGTERM}, {@code SIGINT}. */
  public String signalName() {
    return "SIG" + name();
  }

  /** 128 + the signal's number, as a shell reports a process the signal ended: 143, 130. */
  public int exitStatus() {
    return 128 + number;
  }
}
