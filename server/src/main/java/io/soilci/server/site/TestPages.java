package io.soilci.server.site;

import io.soilci.result.Durations;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import io.soilci.web.Templates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A test's history page ({@code HOST/tests/ID.html}) and its JSON ({@code
 * HOST/tests/json/ID.json}): its last {@link #SHOWN} results on each of its newest {@link
 * #BRANCHES} branches, the run it first failed in, and whether it is flaky ({@link TestHistory}).
 * Only a test that is among the failing tests a kept run page shows has one, so there are at most
 * {@link TestSummary#MAX_FAILING} per kept job; the page is deleted when the last such run leaves.
 */
final class TestPages {
  /** Results shown per branch. */
  static final int SHOWN = 30;

  /** Branches shown, the one with the newest result first. */
  static final int BRANCHES = 10;

  private final SiteIndex index;
  private final Views views;

  TestPages(SiteIndex index, Views views) {
    this.index = index;
    this.views = views;
  }

  /** The page and JSON of each test. */
  static List<Page> pagesOf(WorkerHost host, Collection<TestKey> tests) {
    List<Page> pages = new ArrayList<>(tests.size() * 2);
    for (TestKey test : tests) {
      pages.add(new Page.TestHtml(host, test));
      pages.add(new Page.TestJson(host, test));
    }
    return pages;
  }

  /** The link from a page in a run folder to a test's page. */
  static String fromRun(TestKey test) {
    return "../tests/" + test.id() + ".html";
  }

  byte @Nullable [] html(WorkerHost host, TestKey test) {
    if (!index.hasTestPage(host, test)) {
      return null;
    }
    TestHistory history = TestHistory.of(test, index.all(host));
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("title", "test " + test.name());
    model.put("root", "../../");
    model.put("base", "../");
    model.put("host", host.id());
    model.put("prefix", host.prefix());
    model.put("job", test.job());
    model.put("task", test.task());
    model.put("suite", test.suite());
    model.put("name", test.name());
    model.put("flaky", history.flaky());
    model.put("first", history.firstFailed().map(o -> outcome(test, o)).orElse(Map.of()));
    List<Map<String, Object>> branches = new ArrayList<>();
    for (Map.Entry<String, List<TestHistory.Outcome>> b : history.byBranch().entrySet()) {
      if (branches.size() == BRANCHES) {
        break;
      }
      List<TestHistory.Outcome> all = b.getValue();
      List<TestHistory.Outcome> shown = all.subList(Math.max(0, all.size() - SHOWN), all.size());
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("branch", b.getKey().isEmpty() ? "(no branch)" : b.getKey());
      v.put("count", all.size());
      v.put("since", TestHistory.failingSince(all).map(o -> outcome(test, o)).orElse(Map.of()));
      List<Map<String, Object>> results = new ArrayList<>();
      shown.forEach(o -> results.add(outcome(test, o)));
      v.put("results", results);
      List<Map<String, Object>> newest = new ArrayList<>(results);
      java.util.Collections.reverse(newest);
      v.put("newestFirst", newest);
      branches.add(v);
    }
    model.put("branches", branches);
    model.put("json", "json/" + test.id() + ".json");
    return Templates.shared().render("site-test", model).getBytes(StandardCharsets.UTF_8);
  }

  byte @Nullable [] json(WorkerHost host, TestKey test) {
    if (!index.hasTestPage(host, test)) {
      return null;
    }
    TestHistory history = TestHistory.of(test, index.all(host));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("host", host.id());
    out.put("id", test.id());
    out.put("job", test.job());
    out.put("task", test.task());
    out.put("suite", test.suite());
    out.put("name", test.name());
    String flaky = history.flaky();
    out.put("flaky", !flaky.isEmpty());
    out.put("flakyWhy", flaky.isEmpty() ? null : flaky);
    out.put("firstFailed", history.firstFailed().map(TestPages::jsonOutcome).orElse(null));
    List<Object> branches = new ArrayList<>();
    for (Map.Entry<String, List<TestHistory.Outcome>> b : history.byBranch().entrySet()) {
      if (branches.size() == BRANCHES) {
        break;
      }
      List<TestHistory.Outcome> all = b.getValue();
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("branch", b.getKey());
      v.put("kept", all.size());
      v.put("failingSince", TestHistory.failingSince(all).map(TestPages::jsonOutcome).orElse(null));
      List<Object> results = new ArrayList<>();
      for (int i = all.size() - 1; i >= Math.max(0, all.size() - SHOWN); i--) {
        results.add(jsonOutcome(all.get(i)));
      }
      v.put("results", results);
      branches.add(v);
    }
    out.put("branches", branches);
    return JsonPages.write(out);
  }

  private static Map<String, Object> jsonOutcome(TestHistory.Outcome o) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("run", o.run().value());
    v.put("commit", o.commit());
    v.put("start", SiteText.iso(o.startEpoch()));
    v.put("status", o.status().word());
    v.put("seconds", o.millis() < 0 ? null : o.millis() / 1000.0);
    return v;
  }

  /** A result for the page (in the host's {@code tests/} folder). */
  private Map<String, Object> outcome(TestKey test, TestHistory.Outcome o) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("run", o.run().value());
    v.put("href", "../" + o.run().value() + "/index.html#job-" + test.job());
    v.put("state", o.passed() ? "pass" : o.failed() ? "fail" : "none");
    v.put("status", o.status().word());
    v.put("commit", o.commit());
    v.put("commitShort", SiteText.shortHash(o.commit()));
    v.put("commitUrl", views.commitUrl(o.commit()));
    v.put("startIso", SiteText.iso(o.startEpoch()));
    v.put("startText", SiteText.shortTime(o.startEpoch()));
    v.put("time", o.millis() < 0 ? "" : seconds(o.millis()));
    v.put(
        "title",
        "run "
            + o.run().value()
            + ": "
            + o.status().word()
            + (o.millis() < 0 ? "" : ", " + seconds(o.millis())));
    return v;
  }

  /** A test's time: {@code 0.25 s} under a minute, else as {@link Durations#readable}. */
  static String seconds(int millis) {
    return millis < 60_000
        ? String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000.0)
        : Durations.readable(millis / 1000.0);
  }

  /** The test's JSON path under the site root (the run JSON names it). */
  static String jsonPath(WorkerHost host, TestKey test) {
    return SiteLayout.testJson(host, test.id());
  }
}
