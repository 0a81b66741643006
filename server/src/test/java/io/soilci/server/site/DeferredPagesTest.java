package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.soilci.result.JobRef;
import io.soilci.server.state.StateLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a state folder ({@code serve}) an event's pages are written by the background writer after
 * the event returns: named in the page journal first, pending until written, rendered once for a
 * burst of events.
 */
class DeferredPagesTest {
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  static final long WAIT = TimeUnit.SECONDS.toMillis(60);
  static final String INDEX = "github-jobs/index.html";

  @TempDir Path root;
  @TempDir Path state;

  private SiteSettings settings() {
    return new SiteSettings(root, 200, Optional.empty()).withState(new StateLayout(state));
  }

  @Test
  void anEventReturnsBeforeItsPagesAreWrittenAndTheyStayPendingAndJournaledUntilThen()
      throws Exception {
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean();
    // The page writer tells each page it wrote; holding that call holds the writer.
    try (Site site =
        Site.open(
            settings(),
            path -> {
              if (armed.get()) {
                writerHeld.countDown();
                await(release);
              }
            })) {
      armed.set(true);
      try {
        anEventReturnsBeforeItsPagesAreWritten(site, writerHeld, release);
      } finally {
        release.countDown();
      }
    }
    assertThat(new StateLayout(state).pageJournal()).isEmptyFile();
  }

  private void anEventReturnsBeforeItsPagesAreWritten(
      Site site, CountDownLatch writerHeld, CountDownLatch release) throws Exception {
    JobRef job = ref("7", "cpp");
    // Runs in another thread: before the change it rendered the pages itself, and the held
    // writer call kept it from returning.
    CompletableFuture<Void> event =
        CompletableFuture.runAsync(
            () -> {
              try {
                site.jobStarted(job, T0);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    event.get(WAIT, TimeUnit.MILLISECONDS);
    assertThat(writerHeld.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();

    // The truth is in place; the host index (written after the run's pages) is not yet.
    assertThat(root.resolve("github-jobs/7/.running/cpp.json")).isRegularFile();
    assertThat(site.pagePending(INDEX)).isTrue();
    assertThat(read(root, INDEX)).doesNotContain("chip running");
    assertThat(site.awaitPagesWritten(0)).isFalse();
    release.countDown();
    assertThat(site.awaitPage(INDEX, WAIT)).isTrue();
    assertThat(site.awaitPagesWritten(WAIT)).isTrue();
    assertThat(site.pagePending(INDEX)).isFalse();
    assertThat(read(root, INDEX)).contains("<li class=\"chip running\">");
    assertThat(read(root, "github-jobs/7/index.html")).contains("running");
  }

  @Test
  void aReaderDoesNotWaitForAPageWhoseWriteFails() throws Exception {
    try (Site site = Site.open(settings(), path -> {})) {
      // A folder where the host index goes: renaming the new page over it fails, every time.
      Files.delete(root.resolve(INDEX));
      Files.createDirectories(root.resolve(INDEX).resolve("in-the-way"));

      site.jobStarted(ref("8", "cpp"), T0);

      assertThat(site.pagePending(INDEX)).isTrue();
      // Before the change the reader held its thread for the whole wait asked (here 10 minutes).
      boolean written =
          assertTimeoutPreemptively(Duration.ofSeconds(30), () -> site.awaitPage(INDEX, 600_000));
      assertThat(written).isFalse();
      assertThat(site.pagePending(INDEX)).as("still to be written when the disk allows").isTrue();

      Files.delete(root.resolve(INDEX).resolve("in-the-way"));
      Files.delete(root.resolve(INDEX));
      // Tried again a second later: written, and no longer pending.
      assertThat(site.awaitPagesWritten(WAIT)).isTrue();
      assertThat(read(root, INDEX)).contains("<li class=\"chip running\">");
    }
  }

  @Test
  void aBurstOfEventsRendersEachHostPageOnceAndTheLastVersionShowsEveryEvent() throws Exception {
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean();
    try (Site site =
        Site.open(
            settings(),
            path -> {
              if (armed.get()) {
                writerHeld.countDown();
                await(release);
              }
            })) {
      armed.set(true);
      try {
        aBurstRendersEachHostPageOnce(site, writerHeld, release);
      } finally {
        release.countDown();
      }
    }
  }

  private void aBurstRendersEachHostPageOnce(
      Site site, CountDownLatch writerHeld, CountDownLatch release) throws Exception {
    List<String> jobs = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    int before = site.writeCount(INDEX);
    // Before the change each event wrote its pages itself, so the held writer call kept the
    // first one from returning.
    CompletableFuture<Void> events =
        CompletableFuture.runAsync(
            () -> {
              try {
                site.jobStarted(ref("1", "first"), T0);
                assertThat(writerHeld.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
                // The writer is held inside the first event's batch; these ten wait for the next.
                for (String job : jobs) {
                  site.jobStarted(ref("2", job), T0.plusSeconds(60));
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    events.get(WAIT, TimeUnit.MILLISECONDS);
    release.countDown();
    assertThat(site.awaitPagesWritten(WAIT)).isTrue();

    // At most: the rest of the first batch, then one batch for all ten (each event alone: 11).
    assertThat(site.writeCount(INDEX) - before).isLessThanOrEqualTo(2);
    String run = read(root, "github-jobs/2/index.html");
    for (String job : jobs) {
      assertThat(run).contains(">" + job + "<");
    }
  }

  @Test
  void pagesStillPendingAtCloseAreWrittenBeforeTheJournalIsEmptied() throws Exception {
    try (Site site = Site.open(settings())) {
      for (int run = 1; run <= 20; run++) {
        site.jobStarted(ref(Integer.toString(run), "cpp"), T0.plusSeconds(run * 60L));
        site.jobDone(ref(Integer.toString(run), "cpp"), 0, false);
      }
    }
    assertThat(new StateLayout(state).pageJournal()).isEmptyFile();
    String fresh = read(root, INDEX);
    Files.delete(root.resolve(INDEX));
    Files.writeString(root.resolve(INDEX), "stale");
    // A regen-like open without a state folder renders the newest runs' pages from the index.
    try (Site site = Site.open(new SiteSettings(root, 200, Optional.empty()))) {
      assertThat(read(root, INDEX)).isEqualTo(fresh);
    }
  }

  @Test
  void aSyncPassKeepsNamingAPageWhoseDeferredRenderIsNotWrittenYet() throws Exception {
    try (PageJournal journal =
        PageJournal.open(new io.soilci.result.SiteLayout(root), new StateLayout(state))) {
      Page pending = new Page.HostIndex(io.soilci.result.WorkerHost.GITHUB);
      journal.keepNamedWhile(pending::equals);
      // An event's change: its truth written, its pages left to the background writer.
      journal.begin(List.of(pending, new Page.Home())).close();
      journal.sync();
      assertThat(Files.readAllLines(new StateLayout(state).pageJournal(), StandardCharsets.UTF_8))
          .containsExactly("host-index\tgithub");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
