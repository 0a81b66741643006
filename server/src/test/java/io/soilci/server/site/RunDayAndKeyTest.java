package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.RunId;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The day and the key a start files each run by, written out for speed, say what they said. */
class RunDayAndKeyTest {
  @Test
  void aRunsDayIsLocalDatesWhateverTheSecond() {
    Random random = new Random(29);
    long[] edges = {
      0,
      -1,
      86_399,
      86_400,
      -86_400,
      -86_401,
      1_700_000_000L,
      951_782_400L, // 2000-02-29
      -30_610_224_000L, // 1000-01-01
      -30_610_224_001L, // 0999-12-31
      253_402_300_799L, // 9999-12-31T23:59:59
      253_402_300_800L, // +10000-01-01
      -62_167_219_200L // 0000-01-01
    };
    for (long second : edges) {
      assertThat(RunState.day(second)).as("second %d", second).isEqualTo(expected(second));
    }
    for (int i = 0; i < 20_000; i++) {
      long second = random.nextLong() % 400_000_000_000L;
      assertThat(RunState.day(second)).as("second %d", second).isEqualTo(expected(second));
    }
  }

  private static String expected(long second) {
    return LocalDate.ofEpochDay(Math.floorDiv(second, 86_400L)).toString();
  }

  @Test
  void aRunsKeyIsItsNumberWhenItsNameIsDigitsElseItSortsFirstByName() {
    assertThat(RunKey.of(new RunId("12345")).number()).isEqualTo(12345);
    assertThat(RunKey.of(new RunId("007")).number()).isEqualTo(7);
    assertThat(RunKey.of(new RunId("999999999999999999")).number())
        .isEqualTo(999_999_999_999_999_999L);
    // 19 digits may not fit in a long: named, not numbered.
    assertThat(RunKey.of(new RunId("9999999999999999999")).number()).isEqualTo(-1);
    assertThat(RunKey.of(new RunId("git-abc123")).number()).isEqualTo(-1);
    assertThat(RunKey.of(new RunId("12a")).number()).isEqualTo(-1);
    assertThat(RunKey.of(new RunId("git-b"))).isLessThan(RunKey.of(new RunId("2")));
    assertThat(RunKey.of(new RunId("2"))).isLessThan(RunKey.of(new RunId("10")));
  }
}
