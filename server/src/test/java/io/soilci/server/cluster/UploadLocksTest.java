package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.testing.NatsProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UploadLocks} on a real nats-server: a held lock waits, any other refusal says what. */
class UploadLocksTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final JobRef JOB =
      new JobRef(WorkerHost.GITHUB, new RunId("1234"), new JobName("build.linux"));

  @TempDir Path dir;

  @Test
  void aLockHeldByAnotherReplicaIsWaitedForThenNamed() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir);
        ChangeStream one = ChangeStream.connect(nats.url(), "r1", TTL);
        ChangeStream two = ChangeStream.connect(nats.url(), "r2", TTL)) {
      UploadLocks first = UploadLocks.open(one.connection(), "r1", TTL);
      UploadLocks second = UploadLocks.open(two.connection(), "r2", TTL);
      UploadLocks.Held held = first.take(JOB, Duration.ZERO);
      assertThatThrownBy(() -> second.take(JOB, Duration.ofMillis(200)))
          .isInstanceOf(Replication.NotApplied.class)
          .hasMessageContaining("another upload of " + JOB + " is in progress at replica r1");
      first.release(held);
      second.release(second.take(JOB, Duration.ZERO));
    }
  }

  @Test
  void aRefusalOtherThanHeldIsAnErrorAtOnceSayingWhatFailed() throws Exception {
    try (NatsProcess nats = NatsProcess.start(dir);
        ChangeStream one = ChangeStream.connect(nats.url(), "r1", TTL)) {
      UploadLocks locks = UploadLocks.open(one.connection(), "r1", TTL);
      // The bucket's stream now refuses every value: not "held", and no wait makes it free.
      JetStreamManagement management = one.connection().jetStreamManagement();
      String stream = "KV_" + UploadLocks.BUCKET;
      management.updateStream(
          StreamConfiguration.builder(management.getStreamInfo(stream).getConfiguration())
              .maximumMessageSize(1)
              .build());
      long start = System.nanoTime();
      assertThatThrownBy(() -> locks.take(JOB, Duration.ofSeconds(10)))
          .isInstanceOf(Replication.NotApplied.class)
          .hasMessageContaining("refused the lock of " + JOB + " in " + UploadLocks.BUCKET)
          .hasMessageContaining("maximum");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aReplicaStartingAgainFreesTheLocksItHeldAndOnlyThose() throws Exception {
    JobRef other = new JobRef(WorkerHost.GITHUB, new RunId("1234"), new JobName("other"));
    try (NatsProcess nats = NatsProcess.start(dir);
        ChangeStream one = ChangeStream.connect(nats.url(), "r1", TTL);
        ChangeStream two = ChangeStream.connect(nats.url(), "r2", TTL)) {
      // r1 took a lock and died holding it; r2 holds another.
      var unused = UploadLocks.open(one.connection(), "r1", TTL).take(JOB, Duration.ZERO);
      UploadLocks second = UploadLocks.open(two.connection(), "r2", TTL);
      UploadLocks.Held held = second.take(other, Duration.ZERO);
      try (ChangeStream again = ChangeStream.connect(nats.url(), "r1", TTL)) {
        UploadLocks restarted = UploadLocks.open(again.connection(), "r1", TTL);
        restarted.freeOwn();
        second.release(second.take(JOB, Duration.ZERO));
        assertThatThrownBy(() -> restarted.take(other, Duration.ofMillis(200)))
            .isInstanceOf(Replication.NotApplied.class)
            .hasMessageContaining("another upload of " + other + " is in progress at replica r2");
        second.release(held);
      }
    }
  }
}
