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
    // A loop, not a stream: a start makes the key of every run before the JIT compiled anything.
    boolean numeric = value.length() <= 18;
    for (int i = 0; numeric && i < value.length(); i++) {
      char c = value.charAt(i);
      numeric = c >= '0' && c <= '9';
    }
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
