package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.SiteTrees;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server jar restarted from its index snapshot ({@code STATE/index.snapshot}): the site it
 * serves then equals a full {@code regen} byte for byte, right after the start and after events
 * that render pages from the index it loaded; a snapshot that is damaged, cut short, of another
 * format, or stale (job files added, deleted or replaced by hand while the server was down, in runs
 * older than the newest 50 a start without a snapshot checks) is detected and the index is right; a
 * SIGKILL while the snapshot is written leaves a state the next start uses.
 */
class StartupSnapshotIT {
  private static final List<String> JVM =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** Runs beside the fixtures' 4101 and 4102: more than the newest 50 a start checks on its own. */
  private static final int FIRST = 5001;

  private static final int RUNS = 60;

  @TempDir Path dir;
  private Path site;
  private Path state;
  private Path snapshot;
  private String token = "";
  private int starts;
  private int regens;

  @BeforeEach
  void site() throws Exception {
    site = Files.createDirectories(dir.resolve("site"));
    SiteTrees.copyFixtures(site);
    Path from = site.resolve("github-jobs/4101");
    for (int run = FIRST; run < FIRST + RUNS; run++) {
      Path to = Files.createDirectories(site.resolve("github-jobs/" + run));
      for (String ext : List.of(".wwz", ".tsv", ".json")) {
        Files.copy(from.resolve("cpp-small" + ext), to.resolve("cpp-small" + ext));
      }
    }
    state = dir.resolve("state");
    snapshot = state.resolve("index.snapshot");
    token =
        "Bearer gh:"
            + new WorkerStore(new StateLayout(state), 1000)
                .add(new Worker("gh", Set.of(Scope.GITHUB_JOBS, Scope.STATUS_API)), false);
  }

  @Test
  void aRestartFromTheSnapshotServesWhatAFullLoadOfTheFilesGives() throws Exception {
    try (ServerProcess first = start()) {
      // A running job and a job ended by a done event only: the snapshot keeps running state too.
      event(first, "start", FIRST + 1, "lint");
      event(first, "task-done&task=style&status=0&elapsed=1.5", FIRST + 1, "lint");
      event(first, "start", FIRST + 2, "gone");
      event(first, "done&status=3", FIRST + 2, "gone");
    }
    assertThat(snapshot).isRegularFile();

    Path log = dir.resolve("start-" + (starts + 1) + ".log");
    try (ServerProcess again = start()) {
      assertThat(Files.readString(log)).doesNotContain("index snapshot", "reading the stored jobs");
      assertThat(differencesFromRegen()).as("pages right after the start").isEmpty();
      // Pages rendered from the index the snapshot gave: the host's, a day's, an old run's.
      event(again, "start", FIRST, "new-job");
      event(again, "done&status=0", FIRST, "new-job");
      event(again, "task-done&task=unit&status=1&elapsed=2", FIRST + 1, "lint");
    }
    assertThat(differencesFromRegen()).as("pages after events on the loaded index").isEmpty();
  }

  @Test
  void aDamagedCutShortOrOtherFormatSnapshotIsNotUsed() throws Exception {
    try (ServerProcess first = start()) {
      event(first, "start", FIRST + 3, "lint");
    }
    // A byte of a string the pages show (the commit subject) changed: only the checksum sees it.
    byte[] bytes = Files.readAllBytes(snapshot);
    int at = indexOf(bytes, "cpp-small".getBytes(StandardCharsets.UTF_8));
    assertThat(at).isPositive();
    bytes[at] = 'X';
    Files.write(snapshot, bytes);
    startAndCheck("its checksum does not match: cut short or damaged");

    bytes = Files.readAllBytes(snapshot);
    Files.write(snapshot, Arrays.copyOf(bytes, bytes.length / 2));
    startAndCheck("its checksum does not match: cut short or damaged");

    bytes = Files.readAllBytes(snapshot);
    bytes[11] = 1; // the format version's low byte: the first format
    Files.write(snapshot, bytes);
    startAndCheck("format 1, this server writes "); // then the format this server writes
  }

  @Test
  void runFoldersChangedWhileTheServerWasDownAreReadAgain() throws Exception {
    try (ServerProcess first = start()) {
      event(first, "start", FIRST + 4, "lint");
    }
    // By hand while the server is down, in runs older than the newest 50: a job added, a job
    // deleted, a job's rows replaced (by rename, as an SFTP copy does), a whole run (with its
    // pages) deleted.
    Path added = site.resolve("github-jobs/" + (FIRST + 1));
    Path dev = site.resolve("github-jobs/4101");
    Path devTsv = dir.resolve("dev-minimal.tsv");
    Files.copy(dev.resolve("dev-minimal.tsv"), devTsv);
    for (String ext : List.of(".wwz", ".tsv", ".json")) {
      Files.copy(dev.resolve("dev-minimal" + ext), added.resolve("dev-minimal" + ext));
    }
    for (String ext : List.of(".json", ".tsv", ".wwz")) {
      Files.delete(dev.resolve("dev-minimal" + ext));
    }
    Path tsv = site.resolve("github-jobs/" + (FIRST + 3) + "/cpp-small.tsv");
    Path temp = AtomicFiles.createTemp(tsv);
    Files.write(temp, Files.readAllBytes(devTsv));
    Files.move(temp, tsv, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> files = Files.walk(site.resolve("github-jobs/" + (FIRST + 5)))) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }

    Path log = dir.resolve("start-" + (starts + 1) + ".log");
    try (ServerProcess again = start()) {
      assertThat(Files.readString(log))
          .contains("runs from the index snapshot, 3 read from their files (new or changed)");
      assertThat(differencesFromRegen()).as("pages right after the start").isEmpty();
      event(again, "start", FIRST + 1, "late");
      event(again, "start", FIRST + 3, "late");
    }
    assertThat(differencesFromRegen()).as("pages after events on the loaded index").isEmpty();
  }

  @Test
  void aSigkillWhileTheSnapshotIsWrittenLeavesAStateTheNextStartUses() throws Exception {
    int cutOff = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
      ServerProcess server = start();
      event(server, "start", FIRST + attempt, "job-" + attempt);
      // SIGTERM: the snapshot is written at stop; SIGKILL as soon as its temp file shows.
      ProcessHandle handle = ProcessHandle.of(server.pid()).orElseThrow();
      handle.destroy();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (handle.isAlive() && snapshotTemps().isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      server.kill();
      if (!snapshotTemps().isEmpty()) {
        cutOff++;
      }
    }
    System.out.println("StartupSnapshotIT: " + cutOff + " of 5 SIGKILLs cut a snapshot write off");
    // What a kill in the middle of the write leaves, for certain: a temp file half written.
    byte[] bytes = Files.readAllBytes(snapshot);
    Path half = AtomicFiles.createTemp(snapshot);
    Files.write(half, Arrays.copyOf(bytes, bytes.length / 2));

    Path log = dir.resolve("start-" + (starts + 1) + ".log");
    try (ServerProcess again = start()) {
      assertThat(snapshotTemps()).isEmpty();
      assertThat(Files.readString(log))
          .contains("a write of the index snapshot cut off by a crash")
          .doesNotContain("not used");
      assertThat(differencesFromRegen()).as("pages right after the start").isEmpty();
      event(again, "start", FIRST + 9, "after");
    }
    assertThat(differencesFromRegen()).as("pages after events on the loaded index").isEmpty();
  }

  /** Starts from a snapshot that must not be used: {@code why} is logged, the index is right. */
  private void startAndCheck(String why) throws Exception {
    Path log = dir.resolve("start-" + (starts + 1) + ".log");
    try (ServerProcess server = start()) {
      assertThat(Files.readString(log)).contains("not used (" + why);
      event(server, "start", FIRST, "after-" + starts);
    }
    assertThat(differencesFromRegen()).as("pages after a start that read %s", why).isEmpty();
    assertThat(Files.readAllBytes(snapshot)).as("a new snapshot at stop").isNotEmpty();
  }

  private List<Path> snapshotTemps() throws java.io.IOException {
    if (!Files.isDirectory(state)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(state)) {
      return files
          .filter(p -> AtomicFiles.isTemp(p) && p.toString().endsWith("index.snapshot"))
          .toList();
    } catch (java.io.UncheckedIOException e) {
      return List.of(state); // a file went while listed: look again
    }
  }

  private ServerProcess start() throws Exception {
    starts++;
    return ServerProcess.serve(
        dir.resolve("start-" + starts + ".log"),
        JVM,
        List.of("--site", site.toString(), "--state", state.toString()));
  }

  private void event(ServerProcess server, String event, int run, String job) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        server.uri(
                            "/event?eventName="
                                + event
                                + "&workerHost=github&runId="
                                + run
                                + "&jobName="
                                + job))
                    .header("Authorization", token)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s/%s: %s", event, run, job, r.body()).isEqualTo(200);
  }

  /** The files that differ between the site and a {@code regen} of a copy of it. */
  private List<String> differencesFromRegen() throws Exception {
    regens++;
    return SiteChecks.differencesFromRegen(
        site,
        dir.resolve("regen-" + regens),
        dir.resolve("regen-state-" + regens),
        dir.resolve("regen-" + regens + ".log"),
        JVM);
  }

  private static int indexOf(byte[] bytes, byte[] what) {
    for (int i = 0; i + what.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    return -1;
  }
}
