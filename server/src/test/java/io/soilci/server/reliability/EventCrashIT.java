package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server jar under a stream of events over many runs (old ones too, beyond the newest runs
 * a start checks on its own), killed with SIGKILL at random moments: pages are written without
 * waiting for the disk, so only the page journal ({@code STATE/pages.journal}) tells a restart
 * which pages an event cut off may have left stale. After the last restart the site equals a full
 * {@code regen}, byte for byte. Seed: {@code -Dsoil.crash.seed=N}; kills: {@code
 * -Dsoil.events.kills=N} (default 15).
 */
class EventCrashIT {

  /** More runs than the newest a start renders again on its own (50). */
  private static final int RUNS = 90;

  @TempDir Path dir;
  private final AtomicReference<ServerProcess> current = new AtomicReference<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger cutOff = new AtomicInteger();
  private final java.util.Queue<Throwable> failures =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  private ServerProcess server() {
    return java.util.Objects.requireNonNull(current.get());
  }

  @Test
  void pagesEqualRegenAfterSigkillsDuringAStreamOfEvents() throws Exception {
    long seed = Long.getLong("soil.crash.seed", System.nanoTime());
    int kills = Integer.getInteger("soil.events.kills", 15);
    System.out.println("EventCrashIT seed " + seed + " (-Dsoil.crash.seed=" + seed + ")");
    CrashSite crashSite = CrashSite.withFixtures(dir);
    String token = crashSite.token();
    current.set(crashSite.serve());
    Random random = new Random(seed);
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> senders = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      long workerSeed = seed + w;
      Thread t =
          new Thread(
              () -> {
                try {
                  send(token, new Random(workerSeed), running);
                } catch (AssertionError | RuntimeException e) {
                  failures.add(e);
                }
              });
      t.start();
      senders.add(t);
    }
    for (int k = 0; k < kills; k++) {
      int before = answered.get();
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (answered.get() < before + 20 + random.nextInt(40) && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      Thread.sleep(random.nextInt(200));
      server().kill();
      current.set(crashSite.serve());
    }
    running.set(false);
    for (Thread t : senders) {
      t.join();
    }
    assertThat(failures).isEmpty();
    System.out.printf(
        "EventCrashIT: %d SIGKILLs, %d events answered, %d cut off or refused while down%n",
        kills, answered.get(), cutOff.get());
    assertThat(answered.get()).isGreaterThan(kills * 5);
    server().close();
    assertThat(crashSite.differencesFromRegen(dir.resolve("regen")))
        .as("files that differ after regen")
        .isEmpty();
  }

  /** Start, task-done and done events of random jobs of random runs, until stopped. */
  private void send(String token, Random random, AtomicBoolean running) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (running.get()) {
      int run = 1 + random.nextInt(RUNS);
      String job = "workerHost=github&runId=" + (7000 + run) + "&jobName=job-" + random.nextInt(4);
      for (String event :
          List.of(
              "eventName=start",
              "eventName=task-done&task=t" + random.nextInt(3) + "&status=0&elapsed=1.5",
              "eventName=done&status=" + random.nextInt(2))) {
        try {
          ServerProcess target = server();
          URI uri = target.uri("/event?" + event + "&" + job);
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(uri)
                      .header("Authorization", token)
                      .timeout(Duration.ofSeconds(10))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            answered.incrementAndGet();
          } else if (target == current.get()) {
            assertThat(r.statusCode()).as("%s: %s", event, r.body()).isIn(503);
          } else {
            // Killed meanwhile: its port may already belong to another process on this machine.
            cutOff.incrementAndGet();
          }
        } catch (java.io.IOException e) {
          cutOff.incrementAndGet();
          sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
