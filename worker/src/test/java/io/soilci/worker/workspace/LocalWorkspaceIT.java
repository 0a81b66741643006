package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local provider's workspaces against real git repositories made in the test. */
class LocalWorkspaceIT {
  @TempDir Path tmp;
  private GitFixture origin;
  private Path setupRuns;
  private final List<String> progress = new CopyOnWriteArrayList<>();
  private Workspaces workspaces;

  @BeforeEach
  void createOriginAndCache() throws IOException {
    origin = GitFixture.create(tmp.resolve("git"));
    setupRuns = tmp.resolve("setup-runs.txt");
    HostEnvironment host = new HostEnvironment(System.getenv());
    workspaces = new Workspaces(tmp.resolve("cache"), new LocalSetup(host), host, progress::add);
  }

  private WorkspaceConfig config(String setup) {
    return new WorkspaceConfig(
        "demo",
        List.of(new Repository(origin.url(), "src", "main")),
        setup,
        null,
        Map.of("RUNS", setupRuns.toString()));
  }

  private static final String SETUP =
      "echo run >> \"$RUNS\"; mkdir -p deps; echo built > deps/lib.txt";

  private long setupRunCount() throws IOException {
    return Files.exists(setupRuns) ? Files.readAllLines(setupRuns).size() : 0;
  }

  @Test
  void preparesOnAMissAndReusesTheCacheOnAHit() throws IOException {
    Preparation first;
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      first = lease.preparation();
      assertThat(lease.dir().resolve("src/README")).hasContent("first");
      assertThat(lease.dir().resolve("deps/lib.txt")).hasContent("built");
    }

    Preparation second;
    try (Lease lease = workspaces.open(config(SETUP), "job2")) {
      second = lease.preparation();
      assertThat(lease.dir().resolve("deps/lib.txt")).hasContent("built");
    }

    assertThat(first.cacheHit()).isFalse();
    assertThat(second.cacheHit()).isTrue();
    assertThat(setupRunCount()).isEqualTo(1);
    assertThat(second.jobMeta())
        .containsEntry("workspace-cache", "hit")
        .containsKey("workspace-prepare-time");
    assertThat(first.jobMeta()).containsEntry("workspace-cache", "miss");
  }

  @Test
  void fetchesANewCommitIntoTheCachedCloneInsteadOfCloningAgain() throws IOException {
    workspaces.prepare(config(SETUP));
    CacheEntry entry = entry();
    Object gitDirInode =
        Files.getAttribute(entry.prepared().resolve("src/.git/objects"), "unix:ino");
    String second = origin.commit("NEWS", "second\n");
    progress.clear();

    Preparation preparation;
    try (Lease lease = workspaces.open(config(SETUP), "job")) {
      preparation = lease.preparation();
      assertThat(lease.dir().resolve("src/NEWS")).hasContent("second");
    }

    assertThat(preparation.cacheHit()).isTrue();
    assertThat(preparation.commits()).containsEntry("src", second);
    assertThat(Files.getAttribute(entry.prepared().resolve("src/.git/objects"), "unix:ino"))
        .isEqualTo(gitDirInode);
    assertThat(progress).noneMatch(line -> line.startsWith("cloning"));
    assertThat(progress).anyMatch(line -> line.startsWith("fetching main of " + origin.url()));
    assertThat(setupRunCount()).isEqualTo(1);
  }

  @Test
  void aHitWithoutANewCommitLeavesTheCacheUntouched() throws IOException {
    workspaces.prepare(config(SETUP));
    CacheEntry entry = entry();
    String fingerprint = TreeFingerprint.of(entry.prepared());
    Object stateInode = Files.getAttribute(entry.state(), "unix:ino");

    Preparation hit = workspaces.prepare(config(SETUP));

    assertThat(hit.cacheHit()).isTrue();
    assertThat(TreeFingerprint.of(entry.prepared())).isEqualTo(fingerprint);
    assertThat(Files.getAttribute(entry.state(), "unix:ino")).isEqualTo(stateInode);
  }

  @Test
  void aChangedSetupScriptPreparesAgain() throws IOException {
    workspaces.prepare(config(SETUP));

    Preparation changed = workspaces.prepare(config(SETUP + "; echo more > deps/more.txt"));

    assertThat(changed.cacheHit()).isFalse();
    assertThat(setupRunCount()).isEqualTo(2);
  }

  @Test
  void resetRemovesWhatAJobWroteAndRestoresWhatItChanged() throws IOException {
    Path dir;
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      dir = lease.dir();
      Files.writeString(lease.dir().resolve("src/junk.o"), "junk");
      Files.writeString(lease.dir().resolve("src/README"), "changed by the job");
      Files.delete(lease.dir().resolve("deps/lib.txt"));
    }

    try (Lease lease = workspaces.open(config(SETUP), "job2")) {
      assertThat(lease.dir()).isEqualTo(dir);
      assertThat(lease.dir().resolve("src/junk.o")).doesNotExist();
      assertThat(lease.dir().resolve("src/README")).hasContent("first");
      assertThat(lease.dir().resolve("deps/lib.txt")).hasContent("built");
    }
    assertThat(progress).contains("reusing clean instance 0");
  }

  @Test
  void aResetOrANewCommitCopiesOnlyWhatChanged() throws IOException {
    Object libInode;
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      libInode = Files.getAttribute(lease.dir().resolve("deps/lib.txt"), "unix:ino");
      Files.writeString(lease.dir().resolve("src/README"), "changed by the job");
    }
    origin.commit("NEWS", "second\n");

    try (Lease lease = workspaces.open(config(SETUP), "job2")) {
      assertThat(lease.dir().resolve("src/README")).hasContent("first");
      assertThat(lease.dir().resolve("src/NEWS")).hasContent("second");
      assertThat(Files.getAttribute(lease.dir().resolve("deps/lib.txt"), "unix:ino"))
          .isEqualTo(libInode);
    }
  }

  @Test
  void anInstanceLeftInUseByACrashedJobIsMadeAgainNotReused() throws IOException {
    Lease crashed = workspaces.open(config(SETUP), "crashed-job");
    Files.writeString(crashed.dir().resolve("src/half-written"), "x");
    crashed.taken().hold().close(); // the job's process died: its lock is gone, no reset ran

    try (Lease lease = workspaces.open(config(SETUP), "next-job")) {
      assertThat(lease.dir()).isEqualTo(crashed.dir());
      assertThat(lease.dir().resolve("src/half-written")).doesNotExist();
    }
    assertThat(progress)
        .contains("instance 0 was left in use by job crashed-job without a reset: making it again");
  }

  @Test
  void anInstanceChangedAfterItsResetIsMadeAgain() throws IOException {
    Path dir;
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      dir = lease.dir();
    }
    Files.writeString(dir.resolve("deps/lib.txt"), "tampered");

    try (Lease lease = workspaces.open(config(SETUP), "job2")) {
      assertThat(lease.dir().resolve("deps/lib.txt")).hasContent("built");
    }
    assertThat(progress).contains("instance 0 changed after its reset: making it again");
  }

  @Test
  void aCachedStateChangedOnDiskIsPreparedAgain() throws IOException {
    workspaces.prepare(config(SETUP));
    Files.writeString(entry().prepared().resolve("deps/lib.txt"), "tampered");

    Preparation again = workspaces.prepare(config(SETUP));

    assertThat(again.cacheHit()).isFalse();
    assertThat(entry().prepared().resolve("deps/lib.txt")).hasContent("built");
    assertThat(progress)
        .contains(
            "workspace demo is stale (its prepared files changed after they were prepared):"
                + " preparing it again");
  }

  @Test
  void jobsRunningAtTheSameTimeGetSeparateInstances() throws Exception {
    workspaces.prepare(config(SETUP));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Lease>> leases =
          List.of(
              pool.submit(() -> workspaces.open(config(SETUP), "a")),
              pool.submit(() -> workspaces.open(config(SETUP), "b")),
              pool.submit(() -> workspaces.open(config(SETUP), "c")));
      List<Lease> held = new java.util.ArrayList<>();
      for (Future<Lease> lease : leases) {
        held.add(lease.get(60, TimeUnit.SECONDS));
      }
      Files.writeString(held.get(0).dir().resolve("mine.txt"), "a");

      assertThat(held.stream().map(Lease::dir).distinct()).hasSize(3);
      assertThat(held.get(1).dir().resolve("mine.txt")).doesNotExist();
      assertThat(held.get(2).dir().resolve("mine.txt")).doesNotExist();
      for (Lease lease : held) {
        lease.close();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void statusShowsTheRootTheStateAndEachInstance() throws IOException {
    try (Lease lease = workspaces.open(config(SETUP), "job1")) {
      String running = workspaces.status(config(SETUP));

      assertThat(running)
          .startsWith("cache root: " + tmp.resolve("cache") + "\n")
          .contains("state: prepared, generation 1")
          .contains("instance 0: in use by job job1 (running)");
    }
    assertThat(workspaces.status(config(SETUP)))
        .contains("instance 0: " + entry().instance(0) + " clean");
  }

  @Test
  void removeDeletesTheEntry() throws IOException {
    workspaces.prepare(config(SETUP));
    CacheEntry entry = entry();

    workspaces.remove(config(SETUP));

    assertThat(entry.dir()).doesNotExist();
    assertThat(workspaces.status(config(SETUP))).contains("state: not prepared");
  }

  @Test
  void aRepositoryAtDotIsTheWorkspaceFolderWithOthersInside() throws IOException {
    GitFixture other = GitFixture.create(tmp.resolve("other"));
    other.commit("LIB", "lib\n");
    WorkspaceConfig config =
        new WorkspaceConfig(
            "rooted",
            List.of(
                new Repository(origin.url(), ".", "main"),
                new Repository(other.url(), "deps/other", "main")),
            "ls deps/other > listing.txt",
            null,
            Map.of());

    try (Lease lease = workspaces.open(config, "job")) {
      assertThat(lease.dir().resolve("README")).hasContent("first");
      assertThat(lease.dir().resolve("deps/other/LIB")).hasContent("lib");
      assertThat(lease.dir().resolve("listing.txt")).hasContent("LIB\nREADME");
      assertThat(GitFixture.git(lease.dir(), "rev-parse", "HEAD").strip())
          .isEqualTo(lease.preparation().commits().get("."));
    }
  }

  private CacheEntry entry() throws IOException {
    try (var dirs = Files.list(tmp.resolve("cache"))) {
      return new CacheEntry(dirs.filter(Files::isDirectory).findFirst().orElseThrow());
    }
  }
}
