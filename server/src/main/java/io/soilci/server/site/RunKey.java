package io.soilci.server.site;

import io.soilci.result.RunId;

/**
 * Orders runs oldest first: numeric run folders (GitHub run numbers, sourcehut job ids) by value,
 * after every non-numeric one (e.g. {@code git-HASH}), which sort by name. Only stored facts (the
 * folder name) decide, so the incremental path and a rebuild order runs alike.
 */
record RunKey(RunId run, long number) implements Comparable<RunKey> {
  static RunKey of(RunId run) {
    String value = run.value();
    boolean numeric = value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9');
    return new RunKey(run, numeric ? Long.parseLong(value) : -1);
  }

  @Override
  public int compareTo(RunKey other) {
    // Written out, not a Comparator chain: a start files thousands of runs by it before the JIT
    // has compiled anything.
    int byNumber = Long.compare(number, other.number);
    return byNumber != 0 ? byNumber : run.value().compareTo(other.run.value());
  }
}
