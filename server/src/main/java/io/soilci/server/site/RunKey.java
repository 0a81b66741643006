package io.soilci.server.site;

import io.soilci.result.RunId;
import java.util.Comparator;

/**
 * Orders runs oldest first: numeric run folders (GitHub run numbers, sourcehut job ids) by value,
 * after every non-numeric one (e.g. {@code git-HASH}), which sort by name. Only stored facts (the
 * folder name) decide, so the incremental path and a rebuild order runs alike.
 */
record RunKey(RunId run, long number) implements Comparable<RunKey> {
  private static final Comparator<RunKey> ORDER =
      Comparator.comparingLong(RunKey::number).thenComparing(k -> k.run().value());

  static RunKey of(RunId run) {
    String value = run.value();
    boolean numeric = value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9');
    return new RunKey(run, numeric ? Long.parseLong(value) : -1);
  }

  @Override
  public int compareTo(RunKey other) {
    return ORDER.compare(this, other);
  }
}
