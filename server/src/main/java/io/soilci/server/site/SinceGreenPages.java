package io.soilci.server.site;

import io.soilci.collections.Lru;
import io.soilci.result.ExitStatus;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.server.logview.LogDiff;
import io.soilci.web.Templates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A run's "since the last green run" page and its JSON ({@link SinceGreen}), rendered on request
 * and cached, never written: what it shows depends on every earlier run of the branch (a late job
 * or retention of any of them changes it) and its log diffs read two zips per newly failing task,
 * so writing it with every event would re-render many pages and diff logs of runs nobody opens. A
 * cached page is reused while the run and the earlier runs of its branch are the same objects in
 * the index (a run's state is immutable: same object, same content).
 */
final class SinceGreenPages {
  /** Pages kept; each is small (bounded lists, at most {@link LogDiff#MAX_SHOWN} lines a diff). */
  private static final int CACHED = 64;

  private record Cached(List<RunState> sources, byte[] bytes) {}

  private final SiteIndex index;
  private final SiteLayout layout;
  private final Views views;
  private final Map<String, Cached> cache = Lru.map(CACHED);

  SinceGreenPages(SiteIndex index, SiteLayout layout, Views views) {
    this.index = index;
    this.layout = layout;
    this.views = views;
  }

  /** The page (or its JSON) of a run the index knows; empty for an unknown run. */
  Optional<byte[]> render(WorkerHost host, RunId id, boolean json) {
    RunState run = index.run(host, id);
    if (run == null) {
      return Optional.empty();
    }
    String branch = SinceGreen.branchOf(run);
    List<RunState> earlier = new ArrayList<>();
    RunKey key = run.key();
    for (RunState r : index.all(host)) {
      if (r.key().compareTo(key) < 0 && SinceGreen.branchOf(r).equals(branch)) {
        earlier.add(0, r);
      }
    }
    List<RunState> sources = new ArrayList<>(earlier);
    sources.add(0, run);
    String cacheKey = host.id() + "/" + id.value() + (json ? "/json" : "/html");
    synchronized (cache) {
      Cached hit = cache.get(cacheKey);
      if (hit != null && same(hit.sources(), sources)) {
        return Optional.of(hit.bytes());
      }
    }
    SinceGreen facts = SinceGreen.of(host, run, earlier, layout, t -> index.hasTestPage(host, t));
    byte[] bytes = json ? json(facts) : html(facts);
    synchronized (cache) {
      cache.put(cacheKey, new Cached(sources, bytes));
    }
    return Optional.of(bytes);
  }

  /** True when both lists hold the very same run states (identity: no need to compare them). */
  @SuppressWarnings("ReferenceEquality")
  private static boolean same(List<RunState> a, List<RunState> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  private byte[] html(SinceGreen s) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("title", s.host().prefix() + " run " + s.run().id() + " since the last green run");
    model.put("root", "../../");
    model.put("base", "../");
    model.put("host", s.host().id());
    model.put("run", s.run().id().value());
    model.put("branch", s.branch());
    model.put("green", SinceGreen.green(s.run()));
    model.put("lastGreen", s.lastGreen() == null ? Map.of() : runLink(s.lastGreen()));
    model.put("earlierRuns", s.earlierRuns());
    List<Map<String, Object>> commits = new ArrayList<>();
    for (SinceGreen.Commit c : s.commits()) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("commit", c.commit());
      v.put("commitShort", SiteText.shortHash(c.commit()));
      v.put("commitUrl", views.commitUrl(c.commit()));
      v.put("subject", c.subject());
      v.put("runLink", runLink(c.run()));
      commits.add(v);
    }
    model.put("commits", commits);
    model.put("commitsNotShown", s.commitsNotShown());
    List<Map<String, Object>> jobs = new ArrayList<>();
    int diffId = 0;
    for (SinceGreen.Job job : s.jobs()) {
      String wwz = JobFile.WWZ.fileName(new JobName(job.name())) + "/";
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("name", job.name());
      List<Map<String, Object>> tasks = new ArrayList<>();
      for (SinceGreen.Task t : job.tasks()) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", t.row().name().value());
        v.put("status", t.row().status());
        v.put("why", ExitStatus.explain(t.row().status(), t.row().elapsedSeconds()));
        v.put("newly", t.newly());
        v.put("previous", t.previous() == null ? Map.of() : runLink(t.previous()));
        v.put("lastPassed", t.lastPassed() == null ? Map.of() : runLink(t.lastPassed()));
        v.put("log", wwz + t.row().logPath() + "?view");
        LogDiff.Result diff = t.diff();
        if (diff != null) {
          diffId++;
          v.put("diff", diff(diff, "diff-" + diffId));
        } else {
          v.put("diff", Map.of());
        }
        tasks.add(v);
      }
      j.put("tasks", tasks);
      List<Map<String, Object>> tests = new ArrayList<>();
      for (SinceGreen.Test t : job.tests()) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("task", t.key().task());
        v.put("suite", t.key().suite());
        v.put("name", t.key().name());
        v.put("status", t.status().word());
        v.put("newly", t.newly());
        v.put("lastPassed", t.lastPassed() == null ? Map.of() : runLink(t.lastPassed()));
        v.put("history", t.hasPage() ? TestPages.fromRun(t.key()) : "");
        tests.add(v);
      }
      j.put("tests", tests);
      j.put("testsNotShown", job.testsNotShown());
      jobs.add(j);
    }
    model.put("jobs", jobs);
    return Templates.shared().render("site-since", model).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> diff(LogDiff.Result diff, String id) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", id);
    v.put("same", diff.same());
    v.put("note", diff.note());
    v.put("notShown", diff.notShown());
    List<Map<String, Object>> lines = new ArrayList<>();
    for (LogDiff.Line line : diff.lines()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put(
          "cls",
          switch (line.kind()) {
            case '+' -> "add";
            case '-' -> "del";
            case '@' -> "hunk";
            default -> "ctx";
          });
      l.put(
          "text",
          line.kind() == '@'
              ? "@@ old line " + line.oldNumber() + ", new line " + line.newNumber() + " @@"
              : line.kind() + " " + line.text());
      lines.add(l);
    }
    v.put("lines", lines);
    return v;
  }

  /** A run as the page links it (from the run's folder). */
  private Map<String, Object> runLink(RunState run) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("run", run.id().value());
    v.put("href", "../" + run.id().value() + "/index.html");
    v.putAll(views.commit(run));
    return v;
  }

  private static byte[] json(SinceGreen s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", s.host().id());
    out.put("run", s.run().id().value());
    out.put("branch", s.branch());
    out.put("green", SinceGreen.green(s.run()));
    out.put("lastGreen", jsonRun(s.lastGreen()));
    out.put("earlierRuns", s.earlierRuns());
    List<Object> commits = new ArrayList<>();
    for (SinceGreen.Commit c : s.commits()) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("commit", c.commit());
      v.put("subject", c.subject());
      v.put("run", c.run().id().value());
      commits.add(v);
    }
    out.put("commits", commits);
    out.put("commitsNotShown", s.commitsNotShown());
    List<Object> jobs = new ArrayList<>();
    for (SinceGreen.Job job : s.jobs()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("job", job.name());
      List<Object> tasks = new ArrayList<>();
      for (SinceGreen.Task t : job.tasks()) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("task", t.row().name().value());
        v.put("status", t.row().status());
        v.put("newlyFailing", t.newly());
        v.put("previousRun", jsonRun(t.previous()));
        v.put("lastPassedRun", jsonRun(t.lastPassed()));
        v.put("logDiff", t.diff() == null ? null : jsonDiff(t.diff()));
        tasks.add(v);
      }
      j.put("tasks", tasks);
      List<Object> tests = new ArrayList<>();
      for (SinceGreen.Test t : job.tests()) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("task", t.key().task());
        v.put("suite", t.key().suite());
        v.put("name", t.key().name());
        v.put("status", t.status().word());
        v.put("newlyFailing", t.newly());
        v.put("previousRun", jsonRun(t.previous()));
        v.put("lastPassedRun", jsonRun(t.lastPassed()));
        v.put("history", t.hasPage() ? SiteLayout.testJson(s.host(), t.key().id()) : null);
        tests.add(v);
      }
      j.put("tests", tests);
      j.put("testsNotShown", job.testsNotShown());
      jobs.add(j);
    }
    out.put("jobs", jobs);
    return JsonPages.write(out);
  }

  private static @Nullable String jsonRun(@Nullable RunState run) {
    return run == null ? null : run.id().value();
  }

  private static Map<String, Object> jsonDiff(LogDiff.Result diff) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("same", diff.same());
    v.put("note", diff.note().isEmpty() ? null : diff.note());
    List<Object> lines = new ArrayList<>();
    for (LogDiff.Line line : diff.lines()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("kind", String.valueOf(line.kind()));
      l.put("old", line.oldNumber());
      l.put("new", line.newNumber());
      l.put("text", line.text());
      lines.add(l);
    }
    v.put("lines", lines);
    v.put("linesNotShown", diff.notShown());
    return v;
  }
}
