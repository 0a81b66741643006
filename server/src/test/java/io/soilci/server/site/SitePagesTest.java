package io.soilci.server.site;

import static io.soilci.server.site.SiteTrees.meta;
import static io.soilci.server.site.SiteTrees.read;
import static io.soilci.server.site.SiteTrees.ref;
import static io.soilci.server.site.SiteTrees.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SitePagesTest {
  static final String C1 = "07ee33e4bb59fd268d5cc7200578668347eb96ec";
  static final String C2 = "d574c24b623c1073a5b9a332b77a7ca39d4f4df4";
  static final long DAY1 = Instant.parse("2026-11-19T09:00:00Z").getEpochSecond();
  static final long DAY2 = Instant.parse("2026-11-20T09:00:00Z").getEpochSecond();

  @TempDir Path root;

  Site open(int keepRuns) throws Exception {
    return Site.open(new SiteSettings(root, keepRuns, Optional.of("https://github.com/o/p")));
  }

  @Test
  void anEventRewritesTheAffectedPagesOnly() throws Exception {
    try (Site site = open(200)) {
      SiteTrees.store(
          site, root, ref("1", "a"), meta("a", "1", C1, "one", DAY1), List.of(row("t", 0, 1)));
      SiteTrees.store(
          site, root, ref("2", "a"), meta("a", "2", C2, "two", DAY2), List.of(row("t", 0, 1)));
      Map<String, Integer> before = counts(site);

      site.jobStarted(ref("2", "b"), Instant.ofEpochSecond(DAY2 + 60));

      Map<String, Integer> after = counts(site);
      List<String> written = new ArrayList<>();
      after.forEach(
          (page, n) -> {
            if (!n.equals(before.get(page))) {
              written.add(page);
            }
          });
      assertThat(written)
          .containsExactlyInAnyOrder(
              "github-jobs/2/index.html",
              "github-jobs/2/json/index.json",
              "github-jobs/commits/" + C2 + ".html",
              "status-api/github/92/index.json",
              "github-jobs/days/2026-11-20.html",
              "github-jobs/index.html",
              "github-jobs/index.json",
              "github-jobs/raw.html",
              "index.html");
      // The running state is no page: the event writes it beside them.
      assertThat(root.resolve("github-jobs/2/.running/b.json")).isRegularFile();
    }
  }

  private static Map<String, Integer> counts(Site site) throws Exception {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String page :
        List.of(
            "github-jobs/1/index.html",
            "github-jobs/1/json/index.json",
            "github-jobs/2/index.html",
            "github-jobs/2/json/index.json",
            "github-jobs/commits/" + C1 + ".html",
            "github-jobs/commits/" + C2 + ".html",
            "status-api/github/91/index.json",
            "status-api/github/92/index.json",
            "github-jobs/days/2026-11-19.html",
            "github-jobs/days/2026-11-20.html",
            "github-jobs/index.html",
            "github-jobs/index.json",
            "github-jobs/raw.html",
            "sourcehut-jobs/index.html",
            "index.html")) {
      counts.put(page, site.writeCount(page));
    }
    return counts;
  }

  @Test
  void aRebuildFromTheFilesGivesTheSameBytesAsTheEvents() throws Exception {
    try (Site site = open(3)) {
      for (int run = 1; run <= 5; run++) {
        for (String job : List.of("cpp", "dev", "ovm")) {
          int status = job.equals("ovm") && run % 2 == 0 ? 2 : 0;
          SiteTrees.store(
              site,
              root,
              ref(Integer.toString(run), job),
              meta(
                  job,
                  Integer.toString(run),
                  run % 2 == 0 ? C1 : C2,
                  "run <b>" + run + "</b>",
                  DAY1 + run * 3600L),
              List.of(row("build", 0, 30.5), row("unit", status, 12)));
        }
      }
      JobRef live = ref("6", "cpp");
      site.jobStarted(live, Instant.ofEpochSecond(DAY2));
      site.taskStarted(live, new TaskName("build"), Instant.ofEpochSecond(DAY2 + 1));
      site.taskFinished(live, row("build", 0, 3));
      site.jobDone(ref("6", "dev"), 1, true);
    }
    Map<String, byte[]> incremental = SiteTrees.snapshot(root);
    deleteDerivedPages(root);

    try (Site rebuilt =
        Site.open(new SiteSettings(root, 3, Optional.of("https://github.com/o/p")))) {
      assertThat(root.resolve("index.html")).isRegularFile();
    }

    Map<String, byte[]> regenerated = SiteTrees.snapshot(root);
    assertThat(regenerated.keySet()).containsExactlyElementsOf(incremental.keySet());
    for (String page : incremental.keySet()) {
      assertThat(new String(regenerated.get(page), java.nio.charset.StandardCharsets.UTF_8))
          .as(page)
          .isEqualTo(new String(incremental.get(page), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /**
   * Deletes what the site derives, keeping what was stored: wwz/tsv/json, state, retention records,
   * status lines.
   */
  private static void deleteDerivedPages(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(file).toString();
        boolean stored =
            rel.endsWith(".wwz")
                || rel.endsWith(".tsv")
                || rel.endsWith(".status.txt")
                || rel.contains("/.running/")
                || rel.contains("/.retention/")
                || (rel.endsWith(".json") && !rel.endsWith("index.json"));
        if (!stored) {
          Files.delete(file);
        }
      }
    }
  }

  @Test
  void keepsTheNewestRunsAndNeverARunInProgress() throws Exception {
    try (Site site = open(2)) {
      site.jobStarted(ref("1", "a"), Instant.ofEpochSecond(DAY1));
      for (int run = 2; run <= 5; run++) {
        SiteTrees.store(
            site,
            root,
            ref(Integer.toString(run), "a"),
            meta("a", Integer.toString(run), run == 2 ? C1 : C2, "s", DAY1 + run),
            List.of(row("t", 0, 1)));
        site.jobDone(ref(Integer.toString(run), "a"), 0, true);
      }

      assertThat(root.resolve("github-jobs/1/.running/a.json")).isRegularFile();
      assertThat(root.resolve("github-jobs/2")).doesNotExist();
      assertThat(root.resolve("github-jobs/3")).doesNotExist();
      assertThat(root.resolve("status-api/github/93")).doesNotExist();
      assertThat(root.resolve("status-api/github/92")).doesNotExist();
      assertThat(root.resolve("github-jobs/commits/" + C1 + ".html")).doesNotExist();
      assertThat(root.resolve("github-jobs/5/a.wwz")).isRegularFile();
      assertThat(root.resolve("github-jobs/4/a.wwz")).isRegularFile();
      String index = read(root, "github-jobs/index.html");
      assertThat(index)
          .contains("href=\"1/index.html\"")
          .contains("href=\"4/index.html\"")
          .doesNotContain("href=\"2/index.html\"")
          .doesNotContain("href=\"3/index.html\"");
      assertThat(read(root, "github-jobs/days/2026-11-19.html")).doesNotContain("href=\"../2/");
    }
  }

  @Test
  void manyJobsOfOneRunStoredAtOnceAllAppearOnItsPages() throws Exception {
    int jobs = 48;
    try (Site site = open(200)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        String job = "job-" + i;
        done.add(
            pool.submit(
                () -> {
                  SiteTrees.store(
                      site,
                      root,
                      ref("9", job),
                      meta(job, "9", C1, "s", DAY2 + 7),
                      List.of(row("t", 0, 1)));
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      String runPage = read(root, "github-jobs/9/index.html");
      String index = read(root, "github-jobs/index.html");
      for (int i = 0; i < jobs; i++) {
        assertThat(runPage).contains("id=\"job-job-" + i + "\"");
        assertThat(index).contains(">job-" + i + "</a>");
      }
      assertThat(read(root, "status-api/github/99/index.json").split("\"job\" :", -1))
          .hasSize(jobs + 1);
    }
  }

  @Test
  void concurrentTaskEventsOfOneJobAllReachItsRunPageAndState() throws Exception {
    int tasks = 32;
    JobRef job = ref("9", "cpp");
    try (Site site = open(200)) {
      site.jobStarted(job, Instant.ofEpochSecond(DAY2));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        String task = "task-" + i;
        done.add(
            pool.submit(
                () -> {
                  site.taskFinished(job, row(task, 0, 1));
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      String runPage = read(root, "github-jobs/9/index.html");
      RunningJob state = RunningFiles.read(root.resolve("github-jobs/9/.running/cpp.json"));
      assertThat(state.finished()).hasSize(tasks);
      for (int i = 0; i < tasks; i++) {
        assertThat(runPage).contains("<td>task-" + i + "</td>");
      }
    }
  }

  @Test
  void countsAreWordedInTheRightNumber() throws Exception {
    try (Site site = open(200)) {
      SiteTrees.store(
          site,
          root,
          ref("1", "a"),
          meta("a", "1", C1, "one", DAY1),
          List.of(row("t", 1, 1), row("u", 1, 1), row("v", 0, 1)));

      assertThat(read(root, "index.html")).contains(">1 run</span>").doesNotContain("1 runs");
      assertThat(read(root, "github-jobs/1/index.html")).contains(">2 of 3 tasks failed<");

      SiteTrees.store(
          site, root, ref("2", "a"), meta("a", "2", C2, "two", DAY2), List.of(row("t", 0, 1)));
      assertThat(read(root, "index.html")).contains(">2 runs</span>");
    }
  }

  @Test
  void escapesHtmlFromCommitSubjectsAndRefs() throws Exception {
    Map<String, @Nullable String> values =
        new LinkedHashMap<>(
            meta("x", "3", C1, "<script>alert(1)</script>\"><img src=x onerror=alert(2)>", DAY1)
                .values());
    values.put(JobMeta.GITHUB_PR_NUMBER, "12");
    values.put(JobMeta.GITHUB_PR_HEAD_REF, "\"><img src=y onerror=alert(3)>");
    values.put(JobMeta.GITHUB_PR_HEAD_SHA, C2);
    values.put(JobMeta.JOB_URL, "javascript:alert(4)\"><i>");
    try (Site site = open(200)) {
      SiteTrees.store(site, root, ref("3", "x"), new JobMeta(values), List.of(row("t", 1, 1)));

      for (String page :
          List.of(
              "index.html",
              "github-jobs/index.html",
              "github-jobs/raw.html",
              "github-jobs/3/index.html",
              "github-jobs/commits/" + C2 + ".html")) {
        String html = read(root, page);
        assertThat(html)
            .as(page)
            .doesNotContain("<script>alert")
            .doesNotContain("<img")
            .doesNotContain("<i>");
        assertThat(html).as(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
      }
      assertThat(read(root, "github-jobs/3/index.html"))
          .contains("PR #12 from &quot;&gt;&lt;img src=y onerror=alert(3)&gt;")
          .doesNotContain("href=\"javascript:");
    }
  }

  @Test
  void showsImagePullAndWorkspaceCacheOnTheRunPage() throws Exception {
    Map<String, @Nullable String> values =
        new LinkedHashMap<>(meta("ws", "4", C1, "subject", DAY1).values());
    values.put(JobMeta.IMAGE_PULL_TIME, "real 19.99\nuser 1.20\nsys 0.80");
    values.put(JobMeta.WORKSPACE_CACHE, "hit");
    values.put(JobMeta.WORKSPACE_PREPARE_TIME, "0.412");
    try (Site site = open(200)) {

      SiteTrees.store(site, root, ref("4", "ws"), new JobMeta(values), List.of(row("t", 0, 1)));

      assertThat(read(root, "github-jobs/4/index.html"))
          .contains("<td class=\"pull\">19.99 s</td><td class=\"pull\">hit 0.412 s</td>");
    }
  }
}
