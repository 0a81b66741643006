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
    // A loop, not a stream or Long.parseLong: a start makes the key of every run before the JIT
    // compiled anything. At most 18 digits: no overflow.
    if (value.isEmpty() || value.length() > 18) {
      return new RunKey(run, -1);
    }
    long number = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return new RunKey(run, -1);
      }
      number = number * 10 + (c - '0');
    }
    return new RunKey(run, number);
  }

  @Override
  public int compareTo(RunKey other) {
    // Written out, not a Comparator chain: a start files thousands of runs by it before the JIT
    // has compiled anything.
    int byNumber = Long.compare(number, other.number);
    return byNumber != 0 ? byNumber : run.value().compareTo(other.run.value());
  }
}
