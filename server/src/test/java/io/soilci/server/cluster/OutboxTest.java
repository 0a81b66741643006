package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.testing.NatsProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Outbox} against a real nats-server: what it publishes, and what it leaves alone. */
class OutboxTest {
  @TempDir Path dir;

  private static Change stored(String job) {
    return Change.of(
        ChangeKinds.STORED,
        "r1",
        new JobRef(WorkerHost.GITHUB, new RunId("7"), new JobName(job)),
        1,
        Map.of(ChangeKinds.FILES_SHA256, "a+b+c", ChangeKinds.JSON_MODIFIED, "1"));
  }

  /**
   * A change whose request still puts its files is not published from the outbox, nor is a change
   * being written (a temp file: before, the background took one for a change and published it
   * before its files were put, and the request failed with 500 when its rename found it gone); a
   * change its request gave up on is published, and leaves the outbox.
   */
  @Test
  void publishesOnlyTheChangesWhoseRequestsGaveUp() throws Exception {
    Path folder = dir.resolve("outbox");
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        ChangeStream stream = ChangeStream.connect(nats.url(), "r1", Duration.ofSeconds(2));
        Outbox outbox = new Outbox("r1", folder, stream)) {
      Outbox.Entry putting = outbox.hold(stored("putting"));
      Outbox.Entry failed = outbox.hold(stored("failed"));
      Path writing = Files.writeString(folder.resolve(".tmp-1234-0123abcd.json"), "{");
      assertThat(outbox.left()).as("changes whose requests are still on them").isEmpty();

      outbox.keep(failed);
      assertThat(outbox.left()).hasSize(1);
      outbox.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (stream.lastSequence() < 1 || !outbox.left().isEmpty()) {
        assertThat(System.nanoTime()).as("published within 30 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(stream.lastSequence()).as("only the change given up is published").isEqualTo(1);
      assertThat(writing).as("the temp file of a change being written").exists();

      outbox.published(putting);
      try (var files = Files.list(folder)) {
        assertThat(files).containsExactly(writing);
      }
    }
  }
}
