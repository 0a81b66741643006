package io.soilci.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestProcessesTest {

  /** A test JVM that starts a long process, tracks it, prints its pid and exits without a stop. */
  public static final class Leaker {
    public static void main(String[] args) throws Exception {
      Process sleep = TestProcesses.track(new ProcessBuilder("sleep", "300").start());
      System.out.println(sleep.pid());
    }
  }

  @Test
  void aProcessLeftRunningIsKilledWhenTheJvmExits() throws Exception {
    Process jvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Leaker.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    long pid;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      pid = Long.parseLong(out.readLine().trim());
    }
    assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("the leaking JVM exits").isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        throw new AssertionError("sleep " + pid + " outlived the JVM that started it by 30 s");
      }
      Thread.sleep(50);
    }
  }
}
