package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.cluster.ChangeStream;
import io.soilci.server.cluster.HostLeases;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.reliability.SiteChecks;
import io.soilci.server.site.Site;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.testing.BucketChecks;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.NatsProcess;
import io.soilci.server.testing.PagesRefused;
import io.soilci.server.testing.ReplicaConfig;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of the distributed mode in one JVM, a real nats-server and a shared folder as the
 * object store: uploads and events accepted by either end as the same site on both, equal to a
 * {@code regen} of the stored jobs. (ReplicasIT runs replicas as processes behind nginx, with S3.)
 */
class ReplicasTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static UnaryOperator<ServerConfig> replica(String name, NatsProcess nats) {
    return ReplicaConfig.of(name, nats).config();
  }

  @Test
  void uploadsAndEventsAtEitherReplicaGiveBothTheSameSiteAsRegen() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 =
            TestServer.start(
                dir.resolve("r1"), replica("r1", nats), s -> new FolderObjectStore(bucket));
        TestServer r2 =
            TestServer.start(
                dir.resolve("r2"), replica("r2", nats), s -> new FolderObjectStore(bucket))) {
      ok(
          r1.post(
              "/results?workerHost=github&runId=4101&jobName=cpp-small",
              r1.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      event(r2, "start&runId=4300&jobName=build");
      event(r1, "task-start&runId=4300&jobName=build&task=compile");
      event(r2, "task-done&runId=4300&jobName=build&task=compile&status=0&elapsed=2.5");
      ok(
          r2.post(
              "/results?workerHost=github&runId=4101&jobName=dev-minimal",
              r2.github,
              TestServer.fixtureJob("github-jobs/4101", "dev-minimal")));
      event(r1, "done&runId=4300&jobName=build&status=1&updateStatusApi=1");
      event(r1, "start&runId=4301&jobName=lint");
      ok(
          r1.post(
              "/results?workerHost=github&runId=4102&jobName=dev-minimal",
              r1.github,
              TestServer.fixtureJob("github-jobs/4102", "dev-minimal")));

      List<String> differ = awaitSame(r1, r2);
      assertThat(differ).as("files that differ between the replicas").isEmpty();
      assertThat(r2.site.resolve("github-jobs/4101/cpp-small.wwz"))
          .hasSameBinaryContentAs(r1.site.resolve("github-jobs/4101/cpp-small.wwz"));
      assertThat(r1.site.resolve("github-jobs/4101/dev-minimal.json")).isRegularFile();
      assertThat(r2.site.resolve("status-api/github/4300/build.status.txt")).isRegularFile();
      assertThat(differencesFromRegen(r1)).as("r1 against a regen of its jobs").isEmpty();
      try (FolderObjectStore store = new FolderObjectStore(bucket)) {
        assertThat(awaitBucket(store, r1.site)).as("the bucket's pages against r1's").isEmpty();
        assertThat(BucketChecks.pageDifferences(store, dir.resolve("regen")))
            .as("the bucket's pages against regen")
            .isEmpty();
      }
    }
  }

  /**
   * Partitioned rendering: only the holder of a host's role (and of the site role) renders their
   * pages; the other replica renders none, and has every page the holder announced fetched from the
   * bucket: both sites, and the bucket, are regen's. When the holder stops, the other takes the
   * roles and renders the pages changed since the last announcement it applied, then renders them
   * all.
   */
  @Test
  void onlyTheHolderOfARoleRendersItsPagesTheOtherReplicaFetchesThem() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      // r1 takes the roles before r2 starts.
      TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
      TestServer r2;
      try {
        awaitHolder(nats, "r1");
        r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
      } catch (Exception | AssertionError e) {
        r1.close();
        throw e;
      }
      try (TestServer second = r2) {
        awaitReady(r2);
        holderThenTakeover(nats, bucket, r1, r2);
      }
    }
  }

  private void holderThenTakeover(NatsProcess nats, Path bucket, TestServer r1, TestServer r2)
      throws Exception {
    try {
      long r2Before = pagesRendered(r2);
      long r1Before = pagesRendered(r1);
      ok(
          r2.post(
              "/results?workerHost=github&runId=4101&jobName=cpp-small",
              r2.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      event(r2, "start&runId=4300&jobName=build");
      event(r1, "task-start&runId=4300&jobName=build&task=compile");
      event(r2, "task-done&runId=4300&jobName=build&task=compile&status=0&elapsed=2.5");
      event(r2, "done&runId=4300&jobName=build&status=1&updateStatusApi=1");
      ok(
          r1.post(
              "/results?workerHost=github&runId=4102&jobName=dev-minimal",
              r1.github,
              TestServer.fixtureJob("github-jobs/4102", "dev-minimal")));
      // Read through r2 right after it answered: the page waits for the holder's copy.
      event(r2, "start&runId=4301&jobName=lint");
      assertThat(r2.get("/github-jobs/4301/").body()).contains("lint");

      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
      assertThat(pagesRendered(r2) - r2Before).as("pages r2 rendered, holding no role").isZero();
      assertThat(pagesRendered(r1) - r1Before).as("pages r1 rendered").isPositive();
      // Small pages come with their announcement: r2 writes them with no GET of the bucket.
      assertThat(metric(r2, "soil_pages_followed_total{from=\"announcement\"}"))
          .as("pages r2 wrote from the bytes announced")
          .isPositive();
      assertThat(metric(r2, "soil_pages_followed_total{from=\"bucket\"}"))
          .as("pages r2 fetched from the bucket")
          .isZero();
      assertThat(differencesFromRegen(r2)).as("r2 against a regen of its jobs").isEmpty();
      try (FolderObjectStore store = new FolderObjectStore(bucket)) {
        assertThat(awaitBucket(store, r2.site)).as("the bucket's pages against r2's").isEmpty();
      }
    } finally {
      r1.close();
    }
    // r1 gave up its roles: r2 takes them, rendering first what changed since r1's last word.
    event(r2, "task-start&runId=4301&jobName=lint&task=check");
    awaitHolder(nats, "r2");
    assertThat(r2.get("/github-jobs/4301/").body()).contains("check");
    event(r2, "done&runId=4301&jobName=lint&status=0&updateStatusApi=1");
    assertThat(r2.get("/github-jobs/4301/").body()).contains("passed");
    r2.awaitPagesWritten();
    assertThat(differencesFromRegen(r2, "regen-after"))
        .as("r2 against regen, after it took over")
        .isEmpty();
    try (FolderObjectStore store = new FolderObjectStore(bucket)) {
      assertThat(awaitBucket(store, r2.site)).as("the bucket's pages against r2's").isEmpty();
    }
  }

  /**
   * A page is announced as soon as it is written, a small one's bytes with it, and put in the
   * bucket beside: while the bucket refuses the holder's page puts, a page read through the
   * follower right after its event shows it (written from the announcement, no GET), though the
   * bucket lacks it. The holder then stops with those puts never made: the role's next taker puts
   * them, so the bucket ends with every page, as regen makes them.
   */
  @Test
  void aFollowerGetsAPageWhileTheBucketRefusesItsHoldersPutsAndTheNextTakerPutsIt()
      throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    AtomicBoolean refusing = new AtomicBoolean();
    SoilServer.Buckets refusingPages =
        s -> new PagesRefused(new FolderObjectStore(bucket), refusing::get);
    String page = "github-jobs/4501/index.html";
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), refusingPages);
      TestServer r2;
      try {
        awaitHolder(nats, "r1");
        r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
      } catch (Exception | AssertionError e) {
        r1.close();
        throw e;
      }
      try (TestServer follower = r2) {
        try {
          awaitReady(r2);
          long fetched = metric(r2, "soil_pages_followed_total{from=\"bucket\"}");
          refusing.set(true);

          event(r2, "start&runId=4501&jobName=unput");

          assertThat(r2.get("/github-jobs/4501/").body())
              .as("the run page read through r2 while the bucket refuses r1's puts")
              .contains("unput");
          assertThat(bucket.resolve(page)).as("the page in the bucket").doesNotExist();
          assertThat(metric(r2, "soil_pages_followed_total{from=\"bucket\"}"))
              .as("pages r2 fetched from the bucket")
              .isEqualTo(fetched);
        } finally {
          r1.close(); // its puts never made
        }
        awaitHolder(nats, "r2");
        r2.awaitPagesWritten();
        try (FolderObjectStore store = new FolderObjectStore(bucket)) {
          assertThat(awaitBucket(store, r2.site)).as("the bucket's pages against r2's").isEmpty();
          assertThat(bucket.resolve(page)).isRegularFile();
        }
        assertThat(differencesFromRegen(r2)).as("r2 against a regen of its jobs").isEmpty();
      }
    }
  }

  /**
   * A new holder whose reconcile with the bucket fails at first still renders the role's pages
   * meanwhile, and they must reach the other replicas: a follower skips a role's announcements by
   * anyone but the replica whose takeover it heard last, so pages announced before the new holder's
   * takeover were skipped for good once the bucket had them (ReplicasIT ended so once: a follower
   * without the pages its new holder rendered before its takeover).
   */
  @Test
  void pagesANewHolderRendersBeforeItsTakeoverReachTheFollower() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    // The new holder's reconcile fails while the host index's put is refused; the run page's put
    // is refused until the test lets it through first.
    String index = "github-jobs/index.html";
    String page = "github-jobs/4601/index.html";
    AtomicBoolean refusingIndex = new AtomicBoolean();
    AtomicBoolean refusingOthers = new AtomicBoolean();
    SoilServer.Buckets refusingPages =
        s ->
            new PagesRefused(
                new FolderObjectStore(bucket),
                key -> key.equals(index) ? refusingIndex.get() : refusingOthers.get());
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      TestServer r1 =
          TestServer.start(
              dir.resolve("r1"), replica("r1", nats), s -> new FolderObjectStore(bucket));
      TestServer r2;
      TestServer r3;
      try {
        awaitHolder(nats, "r1");
        r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), refusingPages);
        r3 = TestServer.start(dir.resolve("r3"), replica("r3", nats), refusingPages);
      } catch (Exception | AssertionError e) {
        r1.close();
        throw e;
      }
      try (r2;
          r3) {
        try (r1) {
          awaitReady(r2);
          awaitReady(r3);
          refusingIndex.set(true);
          refusingOthers.set(true);
          // The bucket lacks the host index: the next holder's reconcile must put it.
          Files.delete(bucket.resolve(index));
        }
        // r1 stopped: r2 or r3 takes github's role, and its reconcile with the bucket fails.
        String holder = awaitGithubHolder(nats, "r2", "r3");
        TestServer taker = holder.equals("r2") ? r2 : r3;
        TestServer follower = holder.equals("r2") ? r3 : r2;
        // Sent without waiting for the follower's pages: they wait for the taker's announcement.
        ok(
            follower.send(
                HttpRequest.newBuilder(
                        follower.uri(
                            "/event?workerHost=github&eventName=start&runId=4601&jobName=early"))
                    .header("Authorization", follower.github)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build()));
        awaitFileContaining(taker.site.resolve(page), "early");
        // The run page's put goes through while the reconcile still fails: once it is through,
        // the bucket has the page as the taker wrote it.
        refusingOthers.set(false);
        awaitFileContaining(bucket.resolve(page), "early");
        refusingIndex.set(false);

        assertThat(awaitSame(taker, follower))
            .as("the taker's site against the follower's")
            .isEmpty();
        assertThat(Files.readString(follower.site.resolve(page))).contains("early");
      }
    }
  }

  /** Waits (at most a minute) until one of {@code replicas} holds github's role; returns it. */
  private static String awaitGithubHolder(NatsProcess nats, String... replicas) throws Exception {
    try (Connection connection = Nats.connect(nats.url())) {
      KeyValue leases = connection.keyValue(HostLeases.BUCKET);
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (System.nanoTime() < deadline) {
        for (String replica : replicas) {
          if (holds(leases, HostLeases.hostKey("github-jobs"), replica)) {
            return replica;
          }
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError(String.join(" or ", replicas) + " did not take github's role");
  }

  private static void awaitFileContaining(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!(Files.isRegularFile(file) && Files.readString(file).contains(text))) {
      assertThat(System.nanoTime())
          .as("%s with %s within a minute", file, text)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /**
   * Hostile or malformed messages on the pages' stream (not JSON, fields missing, an unknown role,
   * a path out of the site, too many pages) are refused with a log line, write nothing outside the
   * site, and do not stop the replica that follows: it still fetches the pages announced after.
   */
  @Test
  void hostileAnnouncementsOfPagesAreRefusedAndTheFollowerGoesOn() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
      try (TestServer holder = r1) {
        awaitHolder(nats, "r1");
        try (TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
            Connection connection = Nats.connect(nats.url())) {
          awaitReady(r2);
          StringBuilder many = new StringBuilder();
          for (int i = 0; i < 2001; i++) {
            many.append(i == 0 ? "" : ",")
                .append("\"github-jobs/")
                .append(i)
                .append("/index.html\":\"\"");
          }
          String md5 = "0123456789abcdef0123456789abcdef";
          for (String hostile :
              List.of(
                  "{not json",
                  "{\"version\":1,\"pages\":{}}",
                  "{\"version\":1,\"role\":\"host.evil\",\"origin\":\"x\",\"upTo\":0,\"pages\":{}}",
                  "{\"version\":1,\"role\":\"host.github-jobs\",\"origin\":\"x\",\"upTo\":0,"
                      + "\"pages\":{\"../../escape.html\":\""
                      + md5
                      + "\"}}",
                  "{\"version\":1,\"role\":\"site\",\"origin\":\"x\",\"upTo\":0,"
                      + "\"pages\":{\"/tmp/escape.html\":\""
                      + md5
                      + "\"}}",
                  "{\"version\":1,\"role\":\"host.github-jobs\",\"origin\":\"x\",\"upTo\":0,"
                      + "\"pages\":{"
                      + many
                      + "}}")) {
            connection
                .jetStream()
                .publish("soil.pages.host.github-jobs", hostile.getBytes(StandardCharsets.UTF_8));
          }
          event(r1, "start&runId=4990&jobName=after");
          assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
          assertThat(r2.site.resolve("github-jobs/4990/index.html")).isRegularFile();
          try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("escape.html")))
                .isEmpty();
          }
        }
      }
    }
  }

  /**
   * A replica away longer than the pages' stream keeps its announcements (7 days; here the stream
   * is made to keep them 1 s while it is away): at its start the announcements it missed are gone,
   * so it compares every page of the roles it does not render with the bucket's and fetches those
   * that differ, and ends with the holder's pages.
   */
  @Test
  void aReplicaAwayLongerThanThePagesStreamKeepsAnnouncementsConvergesFromTheBucket()
      throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        Connection connection = Nats.connect(nats.url())) {
      TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
      try (TestServer holder = r1) {
        awaitHolder(nats, "r1");
        try (TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
          awaitReady(r2);
          event(r1, "start&runId=4980&jobName=before");
          assertThat(awaitSame(r1, r2)).isEmpty();
        }
        ok(
            r1.post(
                "/results?workerHost=github&runId=4981&jobName=cpp-small",
                r1.github,
                TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
        event(r1, "done&runId=4980&jobName=before&status=1&updateStatusApi=1");
        r1.awaitPagesWritten();
        try (FolderObjectStore store = new FolderObjectStore(bucket)) {
          assertThat(awaitBucket(store, r1.site)).as("the bucket's pages against r1's").isEmpty();
        }
        keepPages(connection, Duration.ofSeconds(1));
        JetStreamManagement management = connection.jetStreamManagement();
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (management.getStreamInfo(ChangeStream.PAGES_STREAM).getStreamState().getMsgCount()
            > 0) {
          assertThat(System.nanoTime())
              .as("announcements expired within a minute")
              .isLessThan(deadline);
          Thread.sleep(100);
        }
        keepPages(connection, Duration.ofDays(7)); // ChangeStream.PAGES_KEPT
        try (TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
          assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
          assertThat(r2.site.resolve("github-jobs/4981/index.html")).isRegularFile();
        }
      }
    }
  }

  /**
   * A page its holder deleted (a commit's page, once retention deleted the commit's only run) while
   * the other replica was away longer than the pages' stream keeps announcements: that replica
   * finds the page gone from the bucket when it reconciles, and deletes its copy; a file that is no
   * page (put in its folder by hand) stays.
   */
  @Test
  void aPageDeletedWhileAReplicaWasAwayLongerThanTheAnnouncementsIsDeletedThereToo()
      throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    UnaryOperator<ServerConfig> keepOne = c -> c.withKeepRuns(1);
    String gone = "github-jobs/commits/" + "a".repeat(40) + ".html";
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        Connection connection = Nats.connect(nats.url());
        FolderObjectStore store = new FolderObjectStore(bucket)) {
      TestServer r1 =
          TestServer.start(
              dir.resolve("r1"), c -> replica("r1", nats).apply(keepOne.apply(c)), folder);
      try (TestServer holder = r1) {
        awaitHolder(nats, "r1");
        try (TestServer r2 =
            TestServer.start(
                dir.resolve("r2"), c -> replica("r2", nats).apply(keepOne.apply(c)), folder)) {
          awaitReady(r2);
          event(r1, "start&runId=4701&jobName=one&commit-hash=" + "a".repeat(40));
          event(r1, "done&runId=4701&jobName=one&status=0");
          assertThat(awaitSame(r1, r2)).isEmpty();
          assertThat(r2.site.resolve(gone)).isRegularFile();
        }
        keepPages(connection, Duration.ofSeconds(1));
        event(r1, "start&runId=4702&jobName=two&commit-hash=" + "b".repeat(40));
        event(r1, "done&runId=4702&jobName=two&status=0");
        r1.awaitPagesWritten();
        assertThat(r1.site.resolve(gone)).as("retention deleted its run").doesNotExist();
        assertThat(awaitBucket(store, r1.site)).as("the bucket's pages against r1's").isEmpty();
        awaitNoAnnouncements(connection);
        keepPages(connection, Duration.ofDays(7)); // ChangeStream.PAGES_KEPT
        Path byHand = Files.writeString(dir.resolve("r2/site/robots.txt"), "User-agent: *\n");

        try (TestServer r2 =
            TestServer.start(
                dir.resolve("r2"), c -> replica("r2", nats).apply(keepOne.apply(c)), folder)) {
          awaitReady(r2);
          long deadline = System.nanoTime() + CONVERGE.toNanos();
          while (Files.exists(r2.site.resolve(gone)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          assertThat(r2.site.resolve(gone)).as("the page its holder deleted").doesNotExist();
          assertThat(byHand).as("a file that is no page").exists();
          Files.delete(byHand);
          assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
        }
      }
    }
  }

  /** Waits (at most a minute) until the pages' stream keeps no announcement. */
  private static void awaitNoAnnouncements(Connection connection) throws Exception {
    JetStreamManagement management = connection.jetStreamManagement();
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (management.getStreamInfo(ChangeStream.PAGES_STREAM).getStreamState().getMsgCount() > 0) {
      assertThat(System.nanoTime())
          .as("announcements expired within a minute")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /**
   * The holder put a page in the bucket and stopped before its announcement was made (here the
   * pages' stream refuses it), and so did the follower: the page changed nowhere else, and when the
   * same replica takes the role again its folder equals the bucket. Each replica applies again the
   * changes after the last announcement it knows of, so the holder renders and announces the page
   * again and the follower waits for it. After that, the follower takes no announcement of the role
   * from another replica (one that lost the role and speaks late): only the latest taker's.
   */
  @Test
  void aPagePutButNeverAnnouncedReachesTheFollowerWhenItsHolderTakesTheRoleAgain()
      throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    String page = "github-jobs/4991/index.html";
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        Connection connection = Nats.connect(nats.url())) {
      TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
      try (TestServer holder = r1) {
        awaitHolder(nats, "r1");
        try (TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
          awaitReady(r2);
          event(r1, "start&runId=4990&jobName=before");
          assertThat(awaitSame(r1, r2)).isEmpty();
          refusePublishes(connection, ChangeStream.PAGES_STREAM, true);
          event(r1, "start&runId=4991&jobName=unannounced");
          r1.awaitPagesWritten();
          awaitFile(bucket.resolve(page));
        }
      }
      refusePublishes(connection, ChangeStream.PAGES_STREAM, false);
      try (TestServer again = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        awaitHolder(nats, "r1");
        try (TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
          awaitReady(r2);
          assertThat(awaitSame(again, r2)).as("files that differ between the replicas").isEmpty();
          assertThat(r2.site.resolve(page)).isRegularFile();

          // A replica that no longer holds the role, late: its announcement is not taken.
          byte[] before = Files.readAllBytes(r2.site.resolve(page));
          byte[] stale = "<html>stale</html>\n".getBytes(StandardCharsets.UTF_8);
          String late =
              "{\"version\":2,\"role\":\"host.github-jobs\",\"origin\":\"r0\",\"upTo\":0,"
                  + "\"pages\":{\""
                  + page
                  + "\":\""
                  + io.soilci.server.storage.Md5.hex(stale)
                  + "\"},\"inline\":{\""
                  + page
                  + "\":\""
                  + java.util.Base64.getEncoder().encodeToString(stale)
                  + "\"}}";
          long sequence =
              connection
                  .jetStream()
                  .publish("soil.pages.host.github-jobs", late.getBytes(StandardCharsets.UTF_8))
                  .getSeqno();
          event(again, "start&runId=4992&jobName=after");
          awaitPagesSequence(r2, sequence);
          assertThat(awaitSame(again, r2)).as("files that differ between the replicas").isEmpty();
          assertThat(Files.readAllBytes(r2.site.resolve(page))).isEqualTo(before);
        }
      }
    }
  }

  /**
   * Waits (at most a minute) until {@code server} saved that it read the pages' stream that far.
   */
  private static void awaitPagesSequence(TestServer server, long sequence) throws Exception {
    Path saved = server.state.resolve("cluster").resolve("pages-sequence");
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!Files.exists(saved) || Long.parseLong(Files.readString(saved).trim()) < sequence) {
      assertThat(System.nanoTime())
          .as("the pages' stream read as far as %d within a minute", sequence)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Makes the pages' stream keep each announcement {@code kept}. */
  private static void keepPages(Connection connection, Duration kept) throws Exception {
    JetStreamManagement management = connection.jetStreamManagement();
    StreamInfo info = management.getStreamInfo(ChangeStream.PAGES_STREAM);
    Duration window = Duration.ofMinutes(2); // nats-server's default, at most the age kept
    management.updateStream(
        StreamConfiguration.builder(info.getConfiguration())
            .maxAge(kept)
            .duplicateWindow(kept.compareTo(window) < 0 ? kept : window)
            .build());
  }

  /** Waits (at most a minute) until {@code replica} holds the site role and github's. */
  private static void awaitHolder(NatsProcess nats, String replica) throws Exception {
    try (Connection connection = Nats.connect(nats.url())) {
      KeyValue leases = connection.keyValue(HostLeases.BUCKET);
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (System.nanoTime() < deadline) {
        if (holds(leases, HostLeases.SITE, replica)
            && holds(leases, HostLeases.hostKey("github-jobs"), replica)) {
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError(replica + " did not take the roles within a minute");
  }

  private static boolean holds(KeyValue leases, String key, String replica) throws Exception {
    KeyValueEntry entry = leases.get(key);
    return entry != null
        && entry.getOperation() == KeyValueOperation.PUT
        && replica.equals(entry.getValueAsString());
  }

  private static void awaitReady(TestServer server) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (server.get("/readyz").statusCode() != 200) {
      assertThat(System.nanoTime()).as("ready within a minute").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** The server's {@code soil_pages_rendered_total}. */
  private static long pagesRendered(TestServer server) {
    return metric(server, "soil_pages_rendered_total");
  }

  /** The server's sample {@code sample} (a metric's name and its labels) in {@code /metrics}. */
  private static long metric(TestServer server, String sample) {
    String metrics = server.get("/metrics").body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Long.parseLong(line.substring(line.indexOf(' ', sample.length()) + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics");
  }

  /**
   * Retention on every replica, and in the bucket by the host's role holder: the job files and
   * pages of the runs it deleted leave the bucket too.
   */
  @Test
  void runsThatRetentionDeletedLeaveTheBucket() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    UnaryOperator<ServerConfig> keepTwo = c -> c.withKeepRuns(2);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 =
            TestServer.start(
                dir.resolve("r1"), c -> replica("r1", nats).apply(keepTwo.apply(c)), folder);
        TestServer r2 =
            TestServer.start(
                dir.resolve("r2"), c -> replica("r2", nats).apply(keepTwo.apply(c)), folder);
        FolderObjectStore store = new FolderObjectStore(bucket)) {
      for (int run = 4101; run <= 4104; run++) {
        TestServer to = run % 2 == 0 ? r2 : r1;
        ok(
            to.post(
                "/results?workerHost=github&runId=" + run + "&jobName=dev-minimal",
                to.github,
                TestServer.fixtureJob("github-jobs/4101", "dev-minimal")));
        event(to, "done&runId=" + run + "&jobName=dev-minimal&status=0&updateStatusApi=1");
      }

      assertThat(awaitSame(r1, r2)).isEmpty();
      assertThat(r1.site.resolve("github-jobs/4102")).doesNotExist();
      assertThat(awaitBucket(store, r1.site)).as("the bucket's pages against r1's").isEmpty();
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (BucketChecks.jobFiles(store).size() > 6 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(BucketChecks.jobFiles(store))
          .containsExactly(
              "github-jobs/4103/dev-minimal.json",
              "github-jobs/4103/dev-minimal.tsv",
              "github-jobs/4103/dev-minimal.wwz",
              "github-jobs/4104/dev-minimal.json",
              "github-jobs/4104/dev-minimal.tsv",
              "github-jobs/4104/dev-minimal.wwz");
    }
  }

  /**
   * Waits (at most a minute) until the bucket's pages are the site's; returns those that differ.
   */
  private static List<String> awaitBucket(ObjectStore bucket, Path site) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> differ;
    do {
      differ = BucketChecks.pageDifferences(bucket, site);
      if (differ.isEmpty()) {
        return differ;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return differ;
  }

  /**
   * A replica that restarts with its saved sequence behind (a SIGKILL before it was saved) replays
   * its own changes among the others': it must end where the others are, not skip its own.
   */
  @Test
  void aReplicaThatReplaysTheStreamEndsAsTheOthersIncludingItsOwnChanges() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        event(r2, "start&runId=4400&jobName=x");
        event(r2, "task-done&runId=4400&jobName=x&task=t&status=0&elapsed=1");
        event(r1, "done&runId=4400&jobName=x&status=0");
        ok(
            r1.post(
                "/results?workerHost=github&runId=4400&jobName=cpp-small",
                r1.github,
                TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
        assertThat(awaitSame(r1, r2)).isEmpty();
      }
      // As if r1 was killed before it saved how far it applied the stream.
      Files.delete(dir.resolve("r1/state/cluster/applied-sequence"));
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        assertThat(awaitSame(r1, r2))
            .as("files that differ after r1 replayed the stream")
            .isEmpty();
      }
    }
  }

  /**
   * Publish first: a change the stream refuses (here: a stream full with discard policy new, so
   * nats-server answers every publish with an error while it answers everything else) is applied
   * nowhere, the accepting replica included; sent again once the stream takes it, it is on both.
   */
  @Test
  void aChangeTheStreamDidNotAcknowledgeIsOnNoReplica() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
        Connection connection = Nats.connect(nats.url())) {
      event(r1, "start&runId=4500&jobName=before");
      assertThat(awaitSame(r1, r2)).isEmpty();

      refusePublishes(connection, true);
      HttpResponse<String> start = r1.post(START_4501, r1.github);
      assertThat(start.statusCode()).as(start.body()).isEqualTo(503);
      assertThat(start.body()).contains("start of github-jobs/4501/refused", "send it again");
      HttpResponse<String> upload =
          r1.post(
              "/results?workerHost=github&runId=4502&jobName=cpp-small",
              r1.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(503);
      r1.awaitPagesWritten();
      assertThat(r1.site.resolve("github-jobs/4501")).as("the refused start's run").doesNotExist();
      assertThat(r1.site.resolve("github-jobs/4502/cpp-small.json"))
          .as("the refused upload's JSON")
          .doesNotExist();
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();

      refusePublishes(connection, false);
      // Not sent again: its files are in the bucket, and r1 publishes its change once the stream
      // takes it, so the site is what regen makes of the bucket.
      awaitFile(r2.site.resolve("github-jobs/4502/cpp-small.json"));
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
      try (FolderObjectStore store = new FolderObjectStore(bucket)) {
        assertThat(BucketChecks.jobFileDifferences(store, r1.site))
            .as("the bucket's job files against r1's")
            .isEmpty();
      }
      event(r1, START_4501.substring("/event?workerHost=github&eventName=".length()));
      ok(
          r1.post(
              "/results?workerHost=github&runId=4502&jobName=cpp-small",
              r1.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
      assertThat(r2.site.resolve("github-jobs/4501")).isDirectory();
      assertThat(r2.site.resolve("github-jobs/4502/cpp-small.json")).isRegularFile();
      assertThat(awaitRegen(r1)).as("r1 against a regen of its jobs").isEmpty();
    }
  }

  /**
   * An upload whose change the stream refused, on a replica stopped before the stream took it again
   * (a worker that gave up): the replica publishes it at its next start, so the bucket holds no job
   * that the sites lack.
   */
  @Test
  void anUploadWhosePublishFailedIsPublishedAtItsReplicasNextStart() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
        Connection connection = Nats.connect(nats.url());
        FolderObjectStore store = new FolderObjectStore(bucket)) {
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        event(r1, "start&runId=4510&jobName=before");
        assertThat(awaitSame(r1, r2)).isEmpty();
        refusePublishes(connection, true);
        HttpResponse<String> upload =
            r1.post(
                "/results?workerHost=github&runId=4510&jobName=cpp-small",
                r1.github,
                TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(503);
        assertThat(upload.body()).contains("publishes it again until the stream takes it");
      }
      refusePublishes(connection, false);
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        awaitFile(r2.site.resolve("github-jobs/4510/cpp-small.json"));
        assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
        assertThat(BucketChecks.jobFileDifferences(store, r2.site))
            .as("the bucket's job files against r2's")
            .isEmpty();
        assertThat(awaitRegen(r1)).as("r1 against a regen of its jobs").isEmpty();
      }
    }
  }

  /**
   * A replica SIGKILLed between the puts of an upload leaves the job's lock in {@code soil-uploads}
   * and the files it put in the bucket (here: its wwz, as ReplicasIT's SIGKILL left one). At its
   * next start it frees the locks it held, so the worker's upload sent again is stored as soon as
   * the replica is back, not after the lock's TTL (60 s): a worker that gave up meanwhile left the
   * files put in the bucket, named by no job (ReplicasIT, "only in the bucket").
   */
  @Test
  void aReplicaKilledBetweenItsPutsFreesTheJobsUploadLockAtItsNextStart() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    String upload = "/results?workerHost=github&runId=4520&jobName=cpp-small";
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
        Connection connection = Nats.connect(nats.url());
        FolderObjectStore store = new FolderObjectStore(bucket)) {
      // What r1 left when it was killed after its first put: the lock it took, and the wwz.
      KeyValue locks = connection.keyValue("soil-uploads");
      locks.create("github-jobs/4520/cpp-small", "r1".getBytes(StandardCharsets.UTF_8));
      locks.create("github-jobs/4521/cpp-small", "r2".getBytes(StandardCharsets.UTF_8));
      store.put(
          "github-jobs/4520/cpp-small.wwz",
          SiteTrees.fixture("github-jobs/4101/cpp-small.wwz"),
          "application/zip");
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder)) {
        long sent = System.nanoTime();
        HttpResponse<String> again =
            r2.post(upload, r2.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - sent))
            .as("the upload sent again, once r1 is back")
            .isLessThan(Duration.ofSeconds(5));
        assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
        assertThat(BucketChecks.jobFileDifferences(store, r1.site))
            .as("the bucket's job files against r1's")
            .isEmpty();
        KeyValueEntry other = locks.get("github-jobs/4521/cpp-small");
        assertThat(other).as("the lock another replica holds").isNotNull();
        assertThat(other.getValueAsString()).isEqualTo("r2");
      }
    }
  }

  /**
   * Waits (at most a minute) until {@code server}'s site is a regen of its jobs (a change applied
   * by its feed alone, no request answered after it, is rendered a moment later); returns the files
   * that differ.
   */
  private List<String> awaitRegen(TestServer server) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> differ;
    int attempt = 0;
    do {
      server.awaitPagesWritten();
      differ = differencesFromRegen(server, "regen-" + attempt++);
      if (differ.isEmpty()) {
        return differ;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return differ;
  }

  /** Waits (at most a minute) until {@code file} exists. */
  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!Files.isRegularFile(file)) {
      assertThat(System.nanoTime()).as(file + " within a minute").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static final String START_4501 =
      "/event?workerHost=github&eventName=start&runId=4501&jobName=refused";

  /**
   * Makes nats-server refuse (or take again) every publish to the change stream: at most as many
   * messages as it holds, and a new one discarded.
   */
  private static void refusePublishes(Connection connection, boolean refuse) throws Exception {
    refusePublishes(connection, ChangeStream.STREAM, refuse);
  }

  /** As above, for the stream {@code stream}. */
  private static void refusePublishes(Connection connection, String stream, boolean refuse)
      throws Exception {
    JetStreamManagement management = connection.jetStreamManagement();
    StreamInfo info = management.getStreamInfo(stream);
    management.updateStream(
        StreamConfiguration.builder(info.getConfiguration())
            .maxMessages(refuse ? Math.max(1, info.getStreamState().getMsgCount()) : -1)
            .discardPolicy(refuse ? DiscardPolicy.New : DiscardPolicy.Old)
            .build());
  }

  /**
   * Events of one job accepted at the same moment by both replicas (two workers' worth of tasks,
   * each task's start and done sent to a different replica than the one before): both end with the
   * same pages, the stream's order.
   */
  @Test
  void eventsOfOneJobAcceptedConcurrentlyByBothReplicasEndTheSame() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
      event(r1, "start&runId=4600&jobName=race");
      List<TestServer> both = List.of(r1, r2);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (int worker = 0; worker < 4; worker++) {
          int w = worker;
          sent.add(
              pool.submit(
                  () -> {
                    for (int t = 0; t < 6; t++) {
                      String task = "&runId=4600&jobName=race&task=w" + w + "t" + t;
                      event(both.get((w + t) % 2), "task-start" + task);
                      event(
                          both.get((w + t + 1) % 2),
                          "task-done" + task + "&status=" + (t % 2) + "&elapsed=" + t);
                    }
                  }));
        }
        for (Future<?> each : sent) {
          each.get();
        }
      } finally {
        pool.shutdownNow();
      }
      event(r2, "done&runId=4600&jobName=race&status=1");
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
    }
  }

  /**
   * A hook configured on both replicas fires once per change in the cluster, on the replica that
   * accepted the change; the other applies the change without firing it.
   */
  @Test
  void aHookConfiguredOnBothReplicasFiresOnceOnTheReplicaThatAcceptedTheChange() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      try (TestServer r1 =
              TestServer.start(dir.resolve("r1"), withHooks(replica("r1", nats), "r1"), folder);
          TestServer r2 =
              TestServer.start(dir.resolve("r2"), withHooks(replica("r2", nats), "r2"), folder)) {
        ok(
            r1.post(
                "/results?workerHost=github&runId=4700&jobName=cpp-small",
                r1.github,
                TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
        event(r2, "start&runId=4701&jobName=a");
        event(r1, "done&runId=4701&jobName=a&status=1");
        ok(
            r2.post(
                "/results?workerHost=github&runId=4702&jobName=dev-minimal",
                r2.github,
                TestServer.fixtureJob("github-jobs/4101", "dev-minimal")));
        assertThat(awaitSame(r1, r2)).isEmpty();
      }
      // Closed: every change is applied on both, and every hook submitted has run.
      assertThat(fired("r1"))
          .containsExactlyInAnyOrder(
              "job-failed 4700 cpp-small",
              "run-finished 4700 ",
              "job-failed 4701 a",
              "run-finished 4701 ");
      assertThat(fired("r2"))
          .containsExactlyInAnyOrder("job-passed 4702 dev-minimal", "run-finished 4702 ");
    }
  }

  /**
   * Each hook a change fires carries {@code SOIL_DELIVERY}, the change's place in the stream and
   * the event; a replica that replays its own changes after a restart fires none of them again (its
   * index is restored from the files, where those jobs are done already).
   */
  @Test
  void eachHookCarriesItsDeliveryAndAReplayFiresNoneAgain() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    String command =
        "echo \"$SOIL_EVENT $SOIL_RUN $SOIL_JOB $SOIL_DELIVERY\" >> '"
            + dir.resolve("fired-r1")
            + "'";
    HookSettings hooks =
        HookSettings.NONE
            .with(HookEvent.JOB_PASSED, command)
            .with(HookEvent.JOB_FAILED, command)
            .with(HookEvent.RUN_FINISHED, command);
    UnaryOperator<ServerConfig> withHooks = c -> c.withHooks(hooks);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"))) {
      UnaryOperator<ServerConfig> r1Config = c -> replica("r1", nats).apply(withHooks.apply(c));
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), r1Config, folder)) {
        ok(
            r1.post(
                "/results?workerHost=github&runId=4720&jobName=cpp-small",
                r1.github,
                TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      }
      List<String> first = fired("r1");
      assertThat(first).hasSize(2);
      assertThat(first)
          .anyMatch(
              line -> line.matches("job-failed 4720 cpp-small SOIL_CHANGES/[0-9]+/job-failed"))
          .anyMatch(line -> line.matches("run-finished 4720  SOIL_CHANGES/[0-9]+/run-finished"));
      // As if r1 was killed before it saved how far it applied the stream.
      Files.delete(dir.resolve("r1/state/cluster/applied-sequence"));
      try (TestServer r1 = TestServer.start(dir.resolve("r1"), r1Config, folder)) {
        awaitReady(r1);
      }
      assertThat(fired("r1")).as("hooks fired, before and after the replay").isEqualTo(first);
    }
  }

  /**
   * An upload sent again after a later upload of its job replaced it: within the stream's duplicate
   * window its message is a duplicate of its first copy, applied before; it must be the job's files
   * again, on both replicas.
   */
  @Test
  void anUploadSentAgainAfterALaterOneOfItsJobIsTheJobsFilesAgain() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    String upload = "/results?workerHost=github&runId=4800&jobName=cpp-small";
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
      ok(r1.post(upload, r1.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      ok(r2.post(upload, r2.github, cppSmallWithItsFirstTaskOnly()));
      ok(r1.post(upload, r1.github, TestServer.fixtureJob("github-jobs/4101", "cpp-small")));
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
      byte[] tsv = SiteTrees.fixture("github-jobs/4101/cpp-small.tsv");
      assertThat(r1.site.resolve("github-jobs/4800/cpp-small.tsv")).hasBinaryContent(tsv);
      assertThat(r2.site.resolve("github-jobs/4800/cpp-small.tsv")).hasBinaryContent(tsv);
    }
  }

  /**
   * Two add-only uploads of one new job (other bytes) sent at the same moment to the two replicas:
   * exactly one is stored, the other is refused as a single box refuses the second (403, the same
   * words), and both replicas end with the winner's files.
   */
  @Test
  void ofTwoAddOnlyUploadsOfOneJobAtTwoReplicasExactlyOneIsStored() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder)) {
      String fork =
          "Bearer fork:"
              + new WorkerStore(new StateLayout(r1.state), 1000)
                  .add(new Worker("fork", Set.of(Scope.ADD_GITHUB_JOBS)), false);
      Files.copy(
          r1.state.resolve("workers.json"),
          r2.state.resolve("workers.json"),
          StandardCopyOption.REPLACE_EXISTING);
      List<Multipart> bodies =
          List.of(
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"),
              cppSmallWithItsFirstTaskOnly());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int run = 4900; run < 4905; run++) {
          String upload = "/results?workerHost=github&runId=" + run + "&jobName=cpp-small";
          CyclicBarrier together = new CyclicBarrier(2);
          List<Future<HttpResponse<String>>> answers = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            TestServer to = i == 0 ? r1 : r2;
            Multipart body = bodies.get(i);
            answers.add(
                pool.submit(
                    () -> {
                      together.await();
                      return to.post(upload, fork, body);
                    }));
          }
          List<Integer> codes = new ArrayList<>();
          for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> got = answer.get();
            codes.add(got.statusCode());
            if (got.statusCode() != 200) {
              assertThat(got.statusCode()).as(got.body()).isEqualTo(403);
              assertThat(got.body().strip())
                  .isEqualTo(
                      "worker 'fork' may only add new jobs (scope add-github-jobs), and"
                          + " github-jobs/"
                          + run
                          + "/cpp-small exists: publish under a new run id, or with a token of"
                          + " scope github-jobs to replace it");
            }
          }
          assertThat(codes)
              .as("answers to the two uploads of run " + run)
              .containsExactlyInAnyOrder(200, 403);
          int winner = codes.indexOf(200);
          assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
          byte[] tsv = SiteTrees.fixture("github-jobs/4101/cpp-small.tsv");
          if (winner == 1) {
            tsv = Arrays.copyOf(tsv, new String(tsv, StandardCharsets.UTF_8).indexOf('\n') + 1);
          }
          assertThat(r1.site.resolve("github-jobs/" + run + "/cpp-small.tsv"))
              .hasBinaryContent(tsv);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * Through Soil's {@code /wwup}: a tsv alone for a job whose JSON is stored is a change of the
   * job, on both replicas; a tsv alone for a job with no JSON completes no job, and is refused
   * (400) on every replica rather than kept on the one that took it.
   */
  @Test
  void aTsvAloneThroughWwupIsReplicatedWhenItCompletesAJobElseRefused() throws Exception {
    Path bucket = Files.createDirectories(dir.resolve("bucket"));
    SoilServer.Buckets folder = s -> new FolderObjectStore(bucket);
    byte[] tsv = "0\t1.000000\tbuild\tb.sh\tall\t-\n".getBytes(StandardCharsets.UTF_8);
    try (NatsProcess nats = NatsProcess.start(dir.resolve("nats"));
        TestServer r1 = TestServer.start(dir.resolve("r1"), replica("r1", nats), folder);
        TestServer r2 = TestServer.start(dir.resolve("r2"), replica("r2", nats), folder);
        FolderObjectStore store = new FolderObjectStore(bucket)) {
      HttpResponse<String> alone =
          r1.post(
              "/wwup",
              r1.github,
              new Multipart()
                  .field("payload-type", "github-jobs")
                  .field("subdir", "4950")
                  .file("file1", "dev-minimal.tsv", tsv));
      assertThat(alone.statusCode()).as(alone.body()).isEqualTo(400);
      assertThat(alone.body())
          .contains(
              "github-jobs/4950/dev-minimal: this upload completes no job (dev-minimal.json is"
                  + " neither sent nor stored)",
              "send dev-minimal.json in the same request as the wwz and tsv");
      assertThat(r1.site.resolve("github-jobs/4950/dev-minimal.tsv")).doesNotExist();
      assertThat(BucketChecks.jobFiles(store)).isEmpty();

      ok(
          r1.post(
              "/results?workerHost=github&runId=4951&jobName=dev-minimal",
              r1.github,
              TestServer.fixtureJob("github-jobs/4101", "dev-minimal")));
      HttpResponse<String> update =
          r2.post(
              "/wwup",
              r2.github,
              new Multipart()
                  .field("payload-type", "github-jobs")
                  .field("subdir", "4951")
                  .file("file1", "dev-minimal.tsv", tsv));
      assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
      assertThat(awaitSame(r1, r2)).as("files that differ between the replicas").isEmpty();
      assertThat(r1.site.resolve("github-jobs/4951/dev-minimal.tsv")).hasBinaryContent(tsv);
      assertThat(BucketChecks.jobFileDifferences(store, r1.site)).isEmpty();
      assertThat(awaitRegen(r1)).as("r1 against a regen of its jobs").isEmpty();
    }
  }

  private static Multipart cppSmallWithItsFirstTaskOnly() {
    String tsv =
        new String(SiteTrees.fixture("github-jobs/4101/cpp-small.tsv"), StandardCharsets.UTF_8);
    return new Multipart()
        .file("wwz", "cpp-small.wwz", SiteTrees.fixture("github-jobs/4101/cpp-small.wwz"))
        .file(
            "tsv",
            "cpp-small.tsv",
            tsv.substring(0, tsv.indexOf('\n') + 1).getBytes(StandardCharsets.UTF_8))
        .file("json", "cpp-small.json", SiteTrees.fixture("github-jobs/4101/cpp-small.json"));
  }

  /** {@code base} with every hook writing "EVENT RUN JOB" to a file named for {@code name}. */
  private UnaryOperator<ServerConfig> withHooks(UnaryOperator<ServerConfig> base, String name) {
    String command =
        "echo \"$SOIL_EVENT $SOIL_RUN $SOIL_JOB\" >> '" + dir.resolve("fired-" + name) + "'";
    HookSettings hooks =
        HookSettings.NONE
            .with(HookEvent.JOB_PASSED, command)
            .with(HookEvent.JOB_FAILED, command)
            .with(HookEvent.RUN_FINISHED, command);
    return c -> base.apply(c).withHooks(hooks);
  }

  private List<String> fired(String name) throws Exception {
    Path file = dir.resolve("fired-" + name);
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static void ok(HttpResponse<String> answer) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  private static void event(TestServer server, String query) {
    ok(server.post("/event?workerHost=github&eventName=" + query, server.github));
  }

  /** Waits (at most a minute) until both sites hold the same files; returns those that differ. */
  private static List<String> awaitSame(TestServer a, TestServer b) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> differ;
    do {
      a.awaitPagesWritten();
      b.awaitPagesWritten();
      differ = SiteChecks.differences(a.site, b.site);
      if (differ.isEmpty()) {
        return differ;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return differ;
  }

  private List<String> differencesFromRegen(TestServer server) throws Exception {
    return differencesFromRegen(server, "regen");
  }

  private List<String> differencesFromRegen(TestServer server, String name) throws Exception {
    Path copy = dir.resolve(name);
    try (Stream<Path> files = Files.walk(server.site)) {
      for (Path from : files.toList()) {
        Path to = copy.resolve(server.site.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    ServerConfig config = ServerConfig.defaults(copy).withState(dir.resolve(name + "-state"));
    Site.forgetSnapshot(config.stateLayout());
    try (Site site = Site.open(SoilServer.siteSettings(config))) {
      site.regenerateAll();
    }
    return SiteChecks.differences(server.site, copy);
  }
}
