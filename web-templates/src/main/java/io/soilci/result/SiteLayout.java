package io.soilci.result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where every stored and generated file of a Soil site lives, which names are reserved, and the
 * status API's line: the only place that knows a path under the site root. Relative paths use '/'
 * separators; {@link #path} turns one into a file, refusing any that would leave the root.
 *
 * <p>Soil's own indexer takes every {@code RUN/*.json} of a host folder as a job's metadata, so
 * nothing but a job's {@code JOB.json} ends in {@code .json} directly in a run folder.
 */
public final class SiteLayout {
  /** The status API's folder: {@code status-api/HOST/RUN_ID/JOB.status.txt}. */
  public static final String STATUS_API = "status-api";

  /** The ending of a status API file. */
  public static final String STATUS_SUFFIX = ".status.txt";

  /** The folder of the site's stylesheet and script. */
  public static final String ASSETS = "web";

  /**
   * A job's test table inside its wwz ({@link TestTable}): every test case of the reports its tasks
   * declared, and every report that could not be read.
   */
  public static final String TEST_RESULTS = WwzPath.META_DIR + "tests.tsv";

  /** The home page and each folder's page. */
  public static final String INDEX_HTML = "index.html";

  /** A run folder's dot-folder of running-job state: never served, never a job. */
  public static final String RUNNING_DIR = ".running";

  /** The prefix of temp files, written beside their target and renamed over it. */
  public static final String TEMP_PREFIX = ".tmp-";

  /** The job name whose {@code index.json} would take the run's old JSON page URL. */
  public static final String RESERVED_JOB = "index";

  /** Names under a host folder that are pages, not runs. */
  private static final Set<String> RESERVED_RUNS =
      Set.of("badges", "commits", "days", INDEX_HTML, "index.json", "raw.html", "tests");

  /** A run id served as a zip by its ending: {@code x.wwz/...} would be read as a job's wwz. */
  private static final String SERVED_SUFFIX = JobFile.WWZ.extension();

  /** A commit hash as git prints it: the only kind that names a commit page. */
  /** The job id of a status line: the UTC time the job was done, as Soil writes it. */
  private static final DateTimeFormatter STATUS_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd__HH-mm-ss").withZone(ZoneOffset.UTC);

  private final Path root;

  public SiteLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * The file at {@code relative} under the root. A path that leaves the root is a programmer error
   * here: every id that becomes a path passed {@link SafeName} before.
   */
  public Path path(String relative) {
    Path file = root.resolve(relative).normalize();
    if (!file.startsWith(root) || (file.equals(root) && !relative.isEmpty())) {
      throw new IllegalStateException("path '" + Printable.of(relative) + "' leaves " + root);
    }
    return file;
  }

  /**
   * Throws {@link FolderIsAFile} when {@code dir}, a folder under the root about to be made because
   * it is not a directory, exists all the same: a plain file where the site's folder should be,
   * which must not be written under, taken for a new folder or deleted. Asked only of a missing
   * folder, so it costs nothing when the folders are there.
   */
  public void requireNotAFile(Path dir) throws FolderIsAFile {
    if (dir.startsWith(root) && !dir.equals(root) && Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new FolderIsAFile(root.relativize(dir).toString());
    }
  }

  /**
   * The plain file among {@code file}'s folders under the root, as the failure to name; empty when
   * there is none. Asked after a write under the root failed, to tell this from other failures.
   */
  public Optional<FolderIsAFile> folderIsAFile(Path file) {
    for (Path dir = file.getParent();
        dir != null && dir.startsWith(root) && !dir.equals(root);
        dir = dir.getParent()) {
      try {
        requireNotAFile(dir);
      } catch (FolderIsAFile e) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * What to throw for {@code failed}, a write of {@code file} under the root that failed: the
   * {@link FolderIsAFile} that names the plain file among its folders (with {@code failed} as its
   * cause's record), else {@code failed} itself.
   */
  public IOException named(Path file, IOException failed) {
    Optional<FolderIsAFile> plain = folderIsAFile(file);
    if (plain.isEmpty()) {
      return failed;
    }
    plain.get().addSuppressed(failed);
    return plain.get();
  }

  /** A host's folder: {@code github-jobs}. */
  public static String hostDir(WorkerHost host) {
    return host.prefix();
  }

  /** A run's folder: {@code github-jobs/4101}. */
  public static String runDir(WorkerHost host, RunId run) {
    return host.prefix() + "/" + run.value();
  }

  /** One of a job's files: {@code github-jobs/4101/JOB.wwz}. */
  public static String jobFile(JobRef job, JobFile file) {
    return runDir(job.host(), job.run()) + "/" + file.fileName(job.job());
  }

  /** A running job's state, kept so a restart still knows it: {@code RUN/.running/JOB.json}. */
  public static String runningFile(JobRef job) {
    return runDir(job.host(), job.run()) + "/" + RUNNING_DIR + "/" + job.job().value() + ".json";
  }

  /** The job name of a running-state file name, if it is one. */
  public static Optional<JobName> runningJob(String fileName) {
    return jobMetadata(fileName);
  }

  /** The home page. */
  public static String home() {
    return INDEX_HTML;
  }

  /** A site asset: {@code web/site.css}. */
  public static String asset(String name) {
    return ASSETS + "/" + name;
  }

  /** A host's newest runs. */
  public static String hostIndex(WorkerHost host) {
    return host.prefix() + "/" + INDEX_HTML;
  }

  /** A host's newest runs for machines (in the host folder, not in a run folder). */
  public static String hostJson(WorkerHost host) {
    return host.prefix() + "/index.json";
  }

  /** A host's newest jobs, flat. */
  public static String raw(WorkerHost host) {
    return host.prefix() + "/raw.html";
  }

  /** A run's page. */
  public static String runHtml(WorkerHost host, RunId run) {
    return runDir(host, run) + "/" + INDEX_HTML;
  }

  /**
   * A run for machines: {@code RUN/json/index.json}, in a subfolder so that Soil's indexer does not
   * take it for a job.
   */
  public static String runJson(WorkerHost host, RunId run) {
    return runDir(host, run) + "/" + RUN_JSON;
  }

  /** Where {@link #runJson} is, relative to the run's folder. */
  public static final String RUN_JSON = "json/index.json";

  /** Where a run's JSON was before it left the run folder; the server redirects it. */
  public static String movedRunJson(WorkerHost host, RunId run) {
    return runDir(host, run) + "/index.json";
  }

  /**
   * The run of a request path {@code /HOST/RUN/index.json} (the old run JSON URL), if it is one.
   */
  public static Optional<String> movedRunJsonTarget(String requestPath) {
    // Asked of every GET the server routes: most are not this, and a split costs per request.
    if (!requestPath.endsWith("/index.json")) {
      return Optional.empty();
    }
    String[] parts = requestPath.split("/", -1);
    if (parts.length != 4 || !parts[0].isEmpty() || !parts[3].equals("index.json")) {
      return Optional.empty();
    }
    for (WorkerHost host : WorkerHost.values()) {
      if (host.prefix().equals(parts[1]) && isRunName(parts[2])) {
        return Optional.of("/" + runJson(host, new RunId(parts[2])));
      }
    }
    return Optional.empty();
  }

  /** Every job of one commit, across runs. */
  public static String commitHtml(WorkerHost host, String commit) {
    return host.prefix() + "/commits/" + requireCommit(commit) + ".html";
  }

  /** The runs that started on one UTC day, {@code 2026-11-20}. */
  public static String dayHtml(WorkerHost host, String day) {
    return host.prefix() + "/days/" + SafeName.require("day", day) + ".html";
  }

  /** A branch's badge; {@code file} is the branch's safe file name. */
  public static String branchBadge(WorkerHost host, String file) {
    return host.prefix() + "/badges/branch/" + SafeName.require("badge", file) + ".svg";
  }

  /** A job's badge. */
  public static String jobBadge(WorkerHost host, JobName job) {
    return host.prefix() + "/badges/job/" + job.value() + ".svg";
  }

  /** A test's history page: {@code github-jobs/tests/ID.html}; {@code id} is 16 hex digits. */
  public static String testHtml(WorkerHost host, String id) {
    return host.prefix() + "/tests/" + requireTestId(id) + ".html";
  }

  /** A test's history for machines: {@code github-jobs/tests/json/ID.json}. */
  public static String testJson(WorkerHost host, String id) {
    return host.prefix() + "/tests/json/" + requireTestId(id) + ".json";
  }

  /** Where a run's "since the last green run" page is, relative to the run's folder. */
  public static final String SINCE_GREEN_HTML = "since-green.html";

  /** Where that page's JSON is, relative to the run's folder. */
  public static final String SINCE_GREEN_JSON = "json/since-green.json";

  /**
   * The host, run and format of a request path {@code /HOST/RUN/since-green.html} or {@code
   * /HOST/RUN/json/since-green.json}, if it is one.
   */
  public static Optional<SinceGreenPath> sinceGreen(String requestPath) {
    for (WorkerHost host : WorkerHost.values()) {
      String prefix = "/" + host.prefix() + "/";
      if (!requestPath.startsWith(prefix)) {
        continue;
      }
      String rest = requestPath.substring(prefix.length());
      for (String page : new String[] {SINCE_GREEN_HTML, SINCE_GREEN_JSON}) {
        if (rest.endsWith("/" + page)) {
          String run = rest.substring(0, rest.length() - page.length() - 1);
          if (isRunName(run)) {
            return Optional.of(
                new SinceGreenPath(host, new RunId(run), page.equals(SINCE_GREEN_JSON)));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A request for a run's "since the last green run" page or its JSON. */
  public record SinceGreenPath(WorkerHost host, RunId run, boolean json) {}

  private static final Pattern TEST_ID = Pattern.compile("[0-9a-f]{16}");

  private static String requireTestId(String id) {
    if (!TEST_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "test id '" + Printable.of(id) + "' must be 16 hex digits");
    }
    return id;
  }

  /** A status API run's folder: {@code status-api/github/RUN_ID}. */
  public static String statusDir(WorkerHost host, String statusRunId) {
    return STATUS_API + "/" + host.id() + "/" + SafeName.require("GITHUB_RUN_ID", statusRunId);
  }

  /** A job's status file: {@code status-api/github/RUN_ID/JOB.status.txt}. */
  public static String statusFile(WorkerHost host, String statusRunId, JobName job) {
    return statusDir(host, statusRunId) + "/" + job.value() + STATUS_SUFFIX;
  }

  /** A status API run's summary for machines (not a Soil host folder, so it may be JSON). */
  public static String statusJson(WorkerHost host, String statusRunId) {
    return statusDir(host, statusRunId) + "/index.json";
  }

  /** The job of a status file name {@code JOB.status.txt}; bad input otherwise. */
  public static JobName statusFileJob(String fileName) {
    if (!fileName.endsWith(STATUS_SUFFIX)) {
      throw new BadInput(
          "status file '" + Printable.of(fileName) + "' must be named JOB" + STATUS_SUFFIX);
    }
    return new JobName(fileName.substring(0, fileName.length() - STATUS_SUFFIX.length()));
  }

  /** A status file's line: {@code "<status> <job id>"}, the job id being {@code at} as Soil's. */
  public static String statusLine(int status, Instant at) {
    return status + " " + STATUS_TIME.format(at) + "\n";
  }

  /** True for a folder name that can be a run: a safe name no page or served suffix uses. */
  public static boolean isRunName(String name) {
    return SafeName.isSafe(name) && !RESERVED_RUNS.contains(name) && !name.endsWith(SERVED_SUFFIX);
  }

  /**
   * The job whose metadata a file directly in a run folder is: {@code JOB.json} with a job name
   * ({@code index.json} and temp files are not). The one rule of what a run folder's JSON is.
   */
  public static Optional<JobName> jobMetadata(String fileName) {
    if (!fileName.endsWith(JobFile.JSON.extension()) || fileName.startsWith(TEMP_PREFIX)) {
      return Optional.empty();
    }
    String stem = fileName.substring(0, fileName.length() - JobFile.JSON.extension().length());
    return SafeName.isSafe(stem) && !stem.equals(RESERVED_JOB)
        ? Optional.of(new JobName(stem))
        : Optional.empty();
  }

  /** True for a commit hash that names a commit page. */
  public static boolean isCommit(String commit) {
    // [0-9a-f]{7,64}, without a regex: asked for every job of a run each time the run changes.
    int n = commit.length();
    if (n < 7 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = commit.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** {@code commit} when it can name a commit page; else bad input naming {@code what}. */
  public static String requireCommit(String what, String commit) {
    if (!isCommit(commit)) {
      throw new BadInput(
          what
              + " '"
              + Printable.of(commit)
              + "' must be 7-64 lowercase hex digits, as git prints a commit hash");
    }
    return commit;
  }

  private static String requireCommit(String commit) {
    return requireCommit("commit", commit);
  }

  /**
   * Refuses a run or job name that would collide with a page or a served path: runs named {@code
   * badges}, {@code commits}, {@code days}, {@code index.html}, {@code index.json}, {@code
   * raw.html}, {@code tests} or ending in {@code .wwz}, and the job {@code index}. Call it before
   * storing files.
   */
  public static void requirePublishable(JobRef job) {
    requireRunName(job.run());
    requireJobName(job.job());
  }

  /** Refuses the job name whose JSON would take the run JSON's old address. */
  public static void requireJobName(JobName job) {
    if (job.value().equals(RESERVED_JOB)) {
      throw new BadInput(
          "jobName '"
              + RESERVED_JOB
              + "' is reserved: RUN/index.json is the run JSON's old address and redirects to"
              + " json/index.json; use another job name");
    }
  }

  /** Refuses a run name that a page of the host folder or a served suffix takes. */
  public static void requireRunName(RunId run) {
    if (RESERVED_RUNS.contains(run.value())) {
      throw new BadInput(
          "runId '" + run + "' is reserved for the site's pages; use another run name");
    }
    if (run.value().endsWith(SERVED_SUFFIX)) {
      throw new BadInput(
          "runId '"
              + run
              + "' must not end in '"
              + SERVED_SUFFIX
              + "': its pages would be served as a job's zip; use another run name");
    }
  }

  /**
   * Refuses a job's metadata whose ids would become paths but break the rules: {@code
   * GITHUB_RUN_ID} (the status API's folder) must be a safe name, {@code commit-hash} and {@code
   * GITHUB_PR_HEAD_SHA} (a commit page's name) lowercase hex. Missing or null keys are fine.
   */
  public static void requirePathIds(JobMeta meta, String source) {
    meta.get(JobMeta.GITHUB_RUN_ID)
        .filter(id -> !id.isEmpty())
        .ifPresent(id -> SafeName.require(source + ": GITHUB_RUN_ID", id));
    for (String key : new String[] {JobMeta.COMMIT_HASH, JobMeta.GITHUB_PR_HEAD_SHA}) {
      meta.get(key).filter(v -> !v.isEmpty()).ifPresent(v -> requireCommit(source + ": " + key, v));
    }
  }
}
