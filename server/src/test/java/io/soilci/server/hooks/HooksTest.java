package io.soilci.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
  @TempDir Path dir;

  static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 100 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }

  @Test
  void runsTheEventsCommandWithTheFactsInItsEnvironment() throws Exception {
    Path out = dir.resolve("env.txt");
    HookSettings settings =
        HookSettings.NONE.with(HookEvent.JOB_FAILED, "env | grep '^SOIL_' | sort > '" + out + "'");
    try (Hooks hooks = new Hooks(settings)) {

      hooks.submit(
          new HookEvent(HookEvent.JOB_FAILED, Map.of("SOIL_JOB", "cpp", "SOIL_STATUS", "1")));
      hooks.submit(new HookEvent(HookEvent.JOB_PASSED, Map.of("SOIL_JOB", "dev")));

      awaitTrue(() -> hooks.succeeded() == 1);
      assertThat(hooks.failed()).isZero();
      assertThat(Files.readString(out))
          .isEqualTo("SOIL_EVENT=job-failed\nSOIL_JOB=cpp\nSOIL_STATUS=1\n");
    }
  }

  @Test
  void killsAHookThatRunsPastItsTimeout() throws Exception {
    Path pid = dir.resolve("child.pid");
    String command = "sleep 30 & echo $! > '" + pid + "'; wait";
    HookSettings settings =
        new HookSettings(Map.of(HookEvent.RUN_FINISHED, command), 1, 10, Duration.ofMillis(500));
    try (Hooks hooks = new Hooks(settings)) {
      long start = System.nanoTime();

      hooks.submit(new HookEvent(HookEvent.RUN_FINISHED, Map.of()));

      awaitTrue(() -> hooks.failed() == 1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      long child = Long.parseLong(Files.readString(pid).trim());
      awaitTrue(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }
  }

  @Test
  void dropsHooksBeyondTheQueueWithoutBlockingTheCaller() throws Exception {
    HookSettings settings =
        new HookSettings(Map.of(HookEvent.JOB_PASSED, "sleep 1"), 1, 1, Duration.ofSeconds(10));
    try (Hooks hooks = new Hooks(settings)) {
      long start = System.nanoTime();

      for (int i = 0; i < 5; i++) {
        hooks.submit(new HookEvent(HookEvent.JOB_PASSED, Map.of()));
      }

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
      assertThat(hooks.dropped()).isEqualTo(3);
    }
  }

  @Test
  void countsAFailingHookAsFailed() throws Exception {
    try (Hooks hooks = new Hooks(HookSettings.NONE.with(HookEvent.JOB_PASSED, "exit 3"))) {

      hooks.submit(new HookEvent(HookEvent.JOB_PASSED, Map.of()));

      awaitTrue(() -> hooks.failed() == 1);
    }
  }
}
