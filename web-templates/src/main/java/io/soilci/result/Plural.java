package io.soilci.result;

/** A count with its noun in the right number: {@code 1 task}, {@code 2 tasks}, {@code 0 runs}. */
public final class Plural {
  private Plural() {}

  /** {@code n} and {@code noun}, with an {@code s} added unless {@code n} is 1. */
  public static String count(long n, String noun) {
    return n + " " + (n == 1 ? noun : noun + "s");
  }
}
