package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.testing.NatsProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChangeStream} against a real nats-server with JetStream, started as a process. */
class ChangeStreamTest {
  private static final Duration ACK = Duration.ofSeconds(2);

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

  private static Change start(String job, long at) {
    return Change.of(
        ChangeKinds.START,
        "r1",
        new JobRef(WorkerHost.GITHUB, new RunId("7"), new JobName(job)),
        at,
        Map.of("statusOnEnd", "false"));
  }

  @Test
  void changesComeBackInOrderFromAnySequenceAndADuplicateIsStoredOnce() throws Exception {
    try (ChangeStream stream = ChangeStream.connect(nats.url(), "r1", ACK)) {
      long first = stream.publish(start("a", 1));
      long second = stream.publish(start("b", 2));
      assertThat(stream.publish(start("a", 1))).as("the same change again").isEqualTo(first);
      long third = stream.publish(start("c", 3));
      assertThat(List.of(first, second, third)).containsExactly(1L, 2L, 3L);
      assertThat(stream.lastSequence()).isEqualTo(3);

      assertThat(jobsFrom(stream, 1, 3)).containsExactly("a", "b", "c");
      // A replica that applied up to 2 resumes at 3.
      assertThat(jobsFrom(stream, 3, 1)).containsExactly("c");
    }
  }

  @Test
  void aStreamMadeByAnotherReplicaIsUsedAsItIs() throws Exception {
    try (ChangeStream one = ChangeStream.connect(nats.url(), "r1", ACK)) {
      one.publish(start("a", 1));
    }
    try (ChangeStream two = ChangeStream.connect(nats.url(), "r2", ACK)) {
      assertThat(two.lastSequence()).isEqualTo(1);
    }
  }

  @Test
  void aChangeOfAnotherVersionIsRefusedWithAClearMessage() {
    byte[] newer =
        "{\"version\":2,\"kind\":\"start\",\"origin\":\"r9\",\"job\":\"github-jobs/7/a\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Change.decode(newer))
        .isInstanceOf(Change.UnknownVersion.class)
        .hasMessageStartingWith(
            "change version 2 is not 1, the version this server reads: upgrade this replica");
    Change change = start("a", 5);
    assertThat(decodeQuietly(change.encode())).isEqualTo(change);
  }

  /**
   * SIGKILL of nats-server while 4 threads publish: a publish during the outage fails (never hangs
   * past its timeout, never claims success), and after a restart on the same store every change
   * that was acknowledged is in the stream.
   */
  @Test
  void killingNatsServerMidPublishLosesNothingAcknowledged() throws Exception {
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    try (ChangeStream stream = ChangeStream.connect(nats.url(), "r1", ACK)) {
      List<Thread> publishers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        Thread publisher =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    String job = "t" + thread + "-" + i;
                    try {
                      acknowledged.put(job, stream.publish(start(job, i)));
                    } catch (ChangeStream.Unavailable e) {
                      refused.add(job);
                    }
                  }
                });
        publisher.start();
        publishers.add(publisher);
      }
      awaitSize(acknowledged, 50);
      nats.kill();
      int refusedBefore = refused.size();
      awaitCondition(() -> refused.size() >= refusedBefore + 4, "publishes refused while down");
      nats.start();
      int after = acknowledged.size();
      awaitSize(acknowledged, after + 50);
      stop.set(true);
      for (Thread publisher : publishers) {
        publisher.join();
      }
      assertThat(refused).isNotEmpty();
      long last = stream.lastSequence();
      List<String> stored = jobsFrom(stream, 1, (int) last);
      assertThat(stored).containsAll(acknowledged.keySet());
      assertThat(stored).doesNotHaveDuplicates();
    }
  }

  /**
   * A reader tries to subscribe again about once a second for as long as nats-server is down; each
   * try must not leave a thread behind (jnats's heartbeat timer of a failed ordered subscribe did:
   * three replicas orphaned by a test grew to 6,700 threads each).
   */
  @Test
  void readingWhileNatsServerIsDownLeavesNoThreadBehind() throws Exception {
    try (ChangeStream stream = ChangeStream.connect(nats.url(), "r1", ACK)) {
      stream.publish(start("a", 1));
      nats.kill();
      awaitCondition(() -> feedRefused(stream), "a feed refused while nats-server is down");
      int before = Thread.getAllStackTraces().size();

      for (int i = 0; i < 50; i++) {
        assertThat(feedRefused(stream)).isTrue();
      }

      assertThat(Thread.getAllStackTraces().size()).isLessThan(before + 5);
      nats.start();
      awaitCondition(() -> !feedRefused(stream), "a feed once nats-server is back");
      assertThat(jobsFrom(stream, 1, 1)).containsExactly("a");
    }
  }

  private static boolean feedRefused(ChangeStream stream) {
    try (ChangeStream.Feed feed = stream.feed(1)) {
      feed.next(Duration.ofMillis(100));
      return false;
    } catch (ChangeStream.Unavailable e) {
      return true;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Change decodeQuietly(byte[] bytes) {
    try {
      return Change.decode(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> jobsFrom(ChangeStream stream, long from, int count) throws Exception {
    List<String> jobs = new ArrayList<>();
    try (ChangeStream.Feed feed = stream.feed(from)) {
      long expected = from;
      while (jobs.size() < count) {
        Optional<ChangeStream.Delivered> next = feed.next(Duration.ofSeconds(10));
        assertThat(next).as("change %d within 10 s", expected).isPresent();
        assertThat(next.get().sequence()).isEqualTo(expected++);
        jobs.add(Change.decode(next.get().bytes()).jobRef().job().value());
      }
    }
    return jobs;
  }

  private static void awaitSize(Map<?, ?> map, int size) throws InterruptedException {
    awaitCondition(() -> map.size() >= size, size + " acknowledged publishes");
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 60 s for " + what);
      }
      Thread.sleep(10);
    }
  }
}
