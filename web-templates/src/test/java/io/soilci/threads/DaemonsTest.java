package io.soilci.threads;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DaemonsTest {
  @Test
  void stopInterruptsTheThreadAndWaitsForItsEnd() throws Exception {
    Thread thread =
        Daemons.start(
            "soil-test-sleeper",
            () -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                // Asked to stop.
              }
            });
    assertThat(Daemons.stop(thread, Duration.ofSeconds(10))).isTrue();
    assertThat(thread.isAlive()).isFalse();
  }

  @Test
  void stopGivesUpAfterTheTimeoutOnAThreadThatDoesNotEnd() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread thread =
        Daemons.start(
            "soil-test-stubborn",
            () -> {
              while (release.getCount() > 0) {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  // Ignored: this thread does not stop when asked.
                }
              }
            });
    long start = System.nanoTime();
    assertThat(Daemons.stop(thread, Duration.ofMillis(200))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    release.countDown();
    thread.join(10_000);
  }
}
