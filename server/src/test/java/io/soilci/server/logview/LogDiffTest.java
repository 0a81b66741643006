package io.soilci.server.logview;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log against an earlier run's: only real differences remain, bounded in size and time. */
class LogDiffTest {
  @Test
  void runSpecificValuesAreNormalizedAway() {
    assertThat(
            LogDiff.normalize(
                "2026-11-20T10:00:01.123Z [12:03:04] took 1.25 s (3ms) in /tmp/junit81723/x.txt"
                    + " id 3f2a9c81d0e4 at Foo@1b6d3586 0x7ffe12 run 0c9b5f6e-1a2b-4c3d-8e9f-001122334455"))
        .isEqualTo(
            "<time> [<time>] took <duration> (<duration>) in <tmp> id <hex> at Foo<hex> <hex> run"
                + " <uuid>");
    assertThat(LogDiff.normalize("\u001b[31merror:\u001b[0m expected 2 but was 3"))
        .isEqualTo("error: expected 2 but was 3");
    // Words and small numbers stay: they are what a log says.
    assertThat(LogDiff.normalize("deadbeef failed 3 of 12 tests"))
        .isEqualTo("deadbeef failed 3 of 12 tests");
  }

  @Test
  void onlyTheRealDifferenceIsShownWithItsLineNumbers() {
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      before.add(
          "[10:00:" + String.format("%02d", i % 60) + "] step " + i + " ok in 0." + i + " s");
      after.add(
          "[11:30:" + String.format("%02d", (i * 7) % 60) + "] step " + i + " ok in 1." + i + " s");
    }
    after.set(49, "error: step 50 failed: expected 2 but was 3");

    LogDiff.Result diff = LogDiff.diff(before, 1, after, 1, "");

    assertThat(diff.note()).isEmpty();
    assertThat(diff.lines())
        .extracting(l -> l.kind() + "" + (l.kind() == '+' ? l.newNumber() : l.oldNumber()))
        .containsExactly("@47", " 47", " 48", " 49", "-50", "+50", " 51", " 52", " 53");
    assertThat(diff.lines().get(5).text()).isEqualTo("error: step 50 failed: expected 2 but was 3");
    assertThat(diff.lines().get(4).text()).isEqualTo(before.get(49));
  }

  @Test
  void linesAreNumberedAsTheLogViewNumbersThemSplitAtNewlinesOnly(@TempDir Path dir)
      throws IOException {
    // Progress output rewrites its line with a bare \r; the view counts it as one line.
    String head = "fetch 10%\r fetch 100%\r\nbuild\r\n";
    Path old = dir.resolve("old.wwz");
    Path now = dir.resolve("new.wwz");
    Files.write(old, Zips.of(Map.of("log.txt", head + "test ok\n")));
    Files.write(now, Zips.of(Map.of("log.txt", head + "test failed\n")));

    LogDiff.Result diff = LogDiff.diff(old, "log.txt", now, "log.txt");

    assertThat(diff.lines())
        .extracting(l -> l.kind() + "" + (l.kind() == '+' ? l.newNumber() : l.oldNumber()))
        .containsExactly("@1", " 1", " 2", "-3", "+3");
    assertThat(diff.lines().get(2).text()).isEqualTo("build");
  }

  @Test
  void identicalLogsButForTimesAreTheSame() {
    LogDiff.Result diff =
        LogDiff.diff(
            List.of("start 2026-11-20 10:00:00", "done in 3.2 s"),
            1,
            List.of("start 2026-11-21 09:59:59", "done in 12 s"),
            1,
            "");
    assertThat(diff.same()).isTrue();
  }

  @Test
  void twoLogsDifferingEverywhereAreBoundedInLinesAndTime() {
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      before.add("old line " + i + " alpha");
      after.add("new line " + i + " beta");
    }
    long start = System.nanoTime();
    LogDiff.Result diff = LogDiff.diff(before, 1, after, 1, "");
    long millis = (System.nanoTime() - start) / 1_000_000;

    // The deadline (2 s) is checked between steps; a step costs at most MAX_MIDDLE squared.
    assertThat(millis).isLessThan(30_000); // a guard: the shared test machine runs at load 20
    assertThat(diff.lines().size()).isLessThanOrEqualTo(LogDiff.MAX_SHOWN);
    assertThat(diff.note()).containsAnyOf("only the first 2000 differing lines", "differ too much");
  }
}
