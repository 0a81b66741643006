package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.RunId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The order of runs and the day a run is listed on, as written out, against their definitions. */
class RunOrderTest {
  private static final Comparator<RunKey> DEFINED =
      Comparator.comparingLong(RunKey::number).thenComparing(k -> k.run().value());

  @Test
  void runsSortByNumberThenByName() {
    Random random = new Random(16);
    List<RunKey> keys = new ArrayList<>();
    String[] names = {"git-", "a", "", "9", "0"};
    for (int i = 0; i < 2_000; i++) {
      String name =
          random.nextBoolean()
              ? Long.toString(random.nextInt(50))
              : names[random.nextInt(names.length)] + Integer.toHexString(random.nextInt(64));
      keys.add(RunKey.of(new RunId(name.isEmpty() ? "x" : name)));
    }
    for (RunKey a : keys.subList(0, 200)) {
      for (RunKey b : keys) {
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(DEFINED.compare(a, b)));
      }
    }
  }

  @Test
  void theDayIsTheUtcDayTheRunStarted() {
    Random random = new Random(16);
    for (int i = 0; i < 20_000; i++) {
      long epoch =
          switch (i % 3) {
            case 0 -> random.nextLong() % 4_000_000_000L;
            case 1 -> (random.nextInt(40_000) - 20_000) * 86_400L + random.nextInt(3) - 1;
            default -> random.nextInt(86_400 * 3) - 86_400L;
          };
      TreeMap<String, JobEntry> jobs = new TreeMap<>();
      jobs.put(
          "cpp",
          new JobEntry(new io.soilci.result.JobName("cpp"), null, RunningJob.startedAt(epoch)));
      RunState run = new RunState(RunKey.of(new RunId("1")), 0, jobs);
      assertThat(run.day())
          .isEqualTo(
              Instant.ofEpochSecond(epoch).atOffset(ZoneOffset.UTC).toLocalDate().toString());
    }
  }
}
