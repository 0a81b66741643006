package io.soilci.worker;

/** {@code soil-worker}: SKELETON, the worker work replaces this with its picocli root command. */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) {
    System.out.println("usage: soil-worker run-job|publish|event|maybe-merge (not built yet)");
  }
}
