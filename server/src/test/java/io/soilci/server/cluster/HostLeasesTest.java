package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.NatsProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostLeases} on a real nats-server: one holder per key, taken over after the TTL. */
class HostLeasesTest {
  private static final Duration TTL = Duration.ofSeconds(2);

  @TempDir Path dir;
  private NatsProcess nats;

  @BeforeEach
  void startNats() throws Exception {
    nats = NatsProcess.start(dir);
  }

  @AfterEach
  void stopNats() throws Exception {
    nats.close();
  }

  @Test
  void oneReplicaHoldsAKeyUntilItStopsRenewingThenAnotherTakesIt() throws Exception {
    AtomicLong clock = new AtomicLong();
    try (ChangeStream one = ChangeStream.connect(nats.url(), "r1", TTL);
        ChangeStream two = ChangeStream.connect(nats.url(), "r2", TTL)) {
      HostLeases first = new HostLeases(one.connection(), "r1", TTL, clock::get);
      HostLeases second = new HostLeases(two.connection(), "r2", TTL, clock::get);
      assertThat(first.claim("host.github-jobs")).isTrue();
      assertThat(second.claim("host.github-jobs")).as("held by r1").isFalse();
      assertThat(second.claim(HostLeases.SITE)).as("another key is free").isTrue();
      assertThat(first.claim("host.github-jobs")).as("renewed").isTrue();
      assertThat(first.holds("host.github-jobs")).isTrue();
      // r1's own view ends before the bucket's TTL does.
      clock.addAndGet(TTL.toNanos());
      assertThat(first.holds("host.github-jobs")).isFalse();

      // r1 stops renewing: once the bucket's TTL removed its key, r2 takes it.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean taken = false;
      while (!taken && System.nanoTime() < deadline) {
        taken = second.claim("host.github-jobs");
        if (!taken) {
          Thread.sleep(100);
        }
      }
      assertThat(taken).as("r2 took the key within 30 s").isTrue();
      assertThat(first.claim("host.github-jobs")).as("r1 came back too late").isFalse();

      second.release("host.github-jobs");
      assertThat(first.claim("host.github-jobs")).as("released: free at once").isTrue();
    }
  }
}
