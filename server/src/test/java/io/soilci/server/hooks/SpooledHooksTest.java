package io.soilci.server.hooks;

import static io.soilci.server.hooks.HooksTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.state.StateLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpooledHooksTest {
  @TempDir Path dir;

  private StateLayout state() {
    return new StateLayout(dir.resolve("state"));
  }

  private Path spool() {
    return state().root().resolve("hooks").resolve("site");
  }

  private List<String> spooled() throws IOException {
    if (!Files.isDirectory(spool())) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(spool())) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private String appendJob(Path out) {
    return "echo \"$SOIL_JOB $SOIL_DELIVERY\" >> '" + out + "'";
  }

  /** A command that waits for {@code gate} to exist. */
  private static String waitFor(Path gate) {
    return "while [ ! -e '" + gate + "' ]; do sleep 0.05; done";
  }

  private static HookEvent passed(String job) {
    return new HookEvent(HookEvent.JOB_PASSED, Map.of("SOIL_JOB", job));
  }

  @Test
  void runsTheHooksLeftInTheSpoolOldestFirstAtTheNextStartWithTheirEnvironment() throws Exception {
    Path out = dir.resolve("out.txt");
    HookSettings settings =
        new HookSettings(
            Map.of(HookEvent.JOB_PASSED, appendJob(out)), 1, 10, Duration.ofMinutes(1));
    try (Hooks first = Hooks.spooled(settings, state(), Hooks.SITE)) {
      first.submit(passed("a").delivered("SOIL_CHANGES/7"));
      first.submit(passed("b"));
      first.submit(passed("c"));
    }
    assertThat(spooled())
        .containsExactly("0000000000000000.json", "0000000000000001.json", "0000000000000002.json");

    try (Hooks second = Hooks.spooled(settings, state(), Hooks.SITE)) {
      Thread.sleep(300);
      assertThat(out).as("nothing runs before start").doesNotExist();
      second.start();

      awaitTrue(() -> second.succeeded() == 3);
      assertThat(Files.readString(out)).isEqualTo("a SOIL_CHANGES/7/job-passed\nb \nc \n");
      awaitTrue(() -> spooledQuietly().isEmpty());
    }
  }

  private List<String> spooledQuietly() {
    try {
      return spooled();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void deletesTheSpoolFileOnceTheHookRanHoweverItEnded() throws Exception {
    HookSettings settings =
        new HookSettings(
            Map.of(
                HookEvent.JOB_PASSED, "true",
                HookEvent.JOB_FAILED, "exit 3",
                HookEvent.RUN_FINISHED, "sleep 30"),
            3,
            10,
            Duration.ofMillis(500));
    try (Hooks hooks = Hooks.spooled(settings, state(), Hooks.SITE)) {
      hooks.start();

      hooks.submit(passed("a"));
      hooks.submit(new HookEvent(HookEvent.JOB_FAILED, Map.of()));
      hooks.submit(new HookEvent(HookEvent.RUN_FINISHED, Map.of()));

      awaitTrue(() -> hooks.succeeded() == 1 && hooks.failed() == 2);
      awaitTrue(() -> spooledQuietly().isEmpty());
    }
  }

  @Test
  void deletesACorruptOrCutOffSpoolFileWithAWarningAndRunsTheOthers() throws Exception {
    Path out = dir.resolve("out.txt");
    Files.createDirectories(spool());
    Files.writeString(spool().resolve("0000000000000001.json"), "{\"event\":\"job-pas");
    Files.writeString(
        spool().resolve("0000000000000002.json"),
        "{\"event\":\"job-passed\",\"env\":{\"SOIL_JOB\":\"good\"}}");
    Files.writeString(
        spool().resolve("0000000000000003.json"), "{\"event\":\"no-such\",\"env\":{}}");
    Files.writeString(spool().resolve(".tmp-123-0000000000000004.json"), "{\"ev");
    HookSettings settings = HookSettings.NONE.with(HookEvent.JOB_PASSED, appendJob(out));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream was = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Hooks hooks;
    try {
      hooks = Hooks.spooled(settings, state(), Hooks.SITE);
    } finally {
      System.setErr(was);
    }
    try (hooks) {
      hooks.start();

      awaitTrue(() -> hooks.succeeded() == 1);
      assertThat(Files.readString(out)).isEqualTo("good \n");
      awaitTrue(() -> spooledQuietly().isEmpty());
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains(
              "hook spool: "
                  + spool().resolve("0000000000000001.json")
                  + " does not hold a hook event (")
          .contains(
              "hook spool: "
                  + spool().resolve("0000000000000003.json")
                  + " does not hold a hook event (unknown hook event no-such); deleted, its hook"
                  + " does not run")
          .contains("1 hook events left in " + spool() + " before the last stop queued again");
    }
  }

  @Test
  void aStopLeavesTheHooksNotRunYetInTheSpoolForTheNextStart() throws Exception {
    Path gate = dir.resolve("gate");
    Path out = dir.resolve("out.txt");
    HookSettings blocked =
        new HookSettings(Map.of(HookEvent.JOB_PASSED, waitFor(gate)), 1, 10, Duration.ofMinutes(1));
    try (Hooks first = Hooks.spooled(blocked, state(), Hooks.SITE)) {
      first.start();
      first.submit(passed("a"));
      first.submit(passed("b"));
      first.submit(passed("c"));
    }
    assertThat(spooled()).hasSize(3);

    HookSettings settings =
        new HookSettings(
            Map.of(HookEvent.JOB_PASSED, appendJob(out)), 1, 10, Duration.ofMinutes(1));
    try (Hooks second = Hooks.spooled(settings, state(), Hooks.SITE)) {
      second.start();

      awaitTrue(() -> second.succeeded() == 3);
      assertThat(Files.readString(out)).isEqualTo("a \nb \nc \n");
    }
  }

  @Test
  void dropsHooksBeyondTheQueueAndSpoolsNoMoreThanItHolds() throws Exception {
    Path gate = dir.resolve("gate");
    HookSettings settings =
        new HookSettings(Map.of(HookEvent.JOB_PASSED, waitFor(gate)), 1, 2, Duration.ofMinutes(1));
    try (Hooks hooks = Hooks.spooled(settings, state(), Hooks.SITE)) {
      hooks.start();

      for (int i = 0; i < 10; i++) {
        hooks.submit(passed("j" + i));
      }

      assertThat(hooks.dropped()).isEqualTo(7);
      assertThat(spooled()).hasSize(3);
      Files.createFile(gate);
      awaitTrue(() -> hooks.succeeded() == 3);
      awaitTrue(() -> spooledQuietly().isEmpty());
    }
  }

  @Test
  void aHookWhoseSpoolCannotBeWrittenStillRuns() throws Exception {
    Path out = dir.resolve("out.txt");
    Files.writeString(state().root(), "a file where the state folder should be");
    try (Hooks hooks =
        Hooks.spooled(
            HookSettings.NONE.with(HookEvent.JOB_PASSED, appendJob(out)), state(), Hooks.SITE)) {
      hooks.start();

      hooks.submit(passed("a"));

      awaitTrue(() -> hooks.succeeded() == 1);
      assertThat(Files.readString(out)).isEqualTo("a \n");
    }
  }
}
