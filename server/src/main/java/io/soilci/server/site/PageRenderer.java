package io.soilci.server.site;

import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.web.Templates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders each kind of {@link Page} from the index as it is now. Pages hold only stored facts
 * (never the time of rendering), so a rebuild from the files gives the same bytes.
 */
final class PageRenderer {
  /** Groups of runs on a host index; older ones are on the day pages. */
  static final int INDEX_GROUPS = 50;

  /** Jobs on a raw page. */
  static final int RAW_JOBS = 300;

  /** Groups per host on the home page. */
  static final int HOME_GROUPS = 8;

  private final SiteIndex index;
  private final Views views;
  private final RunPageModel runModel;
  private final JsonPages json;
  private final Fragments fragments = new Fragments();
  private final Badges badges;
  private final TestPages tests;

  PageRenderer(SiteIndex index, SiteSettings settings) {
    this.index = index;
    this.views = new Views(settings.repositoryUrl());
    this.runModel = new RunPageModel(views);
    this.json = new JsonPages(index, fragments);
    this.badges = new Badges(index);
    this.tests = new TestPages(index, views);
  }

  Badges badges() {
    return badges;
  }

  TestPages tests() {
    return tests;
  }

  byte[] home() {
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (WorkerHost host : WorkerHost.values()) {
      List<RunState> runs = index.newest(host, HOME_GROUPS * 20);
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("id", host.id());
      h.put("prefix", host.prefix());
      h.put("runCount", index.runCount(host));
      h.put("groups", groups(host, runs, HOME_GROUPS, host.prefix() + "/"));
      hosts.add(h);
    }
    return html("site-home", Map.of("title", "Soil", "root", "", "hosts", hosts));
  }

  byte[] hostIndex(WorkerHost host) {
    List<RunState> runs = index.newest(host, INDEX_GROUPS * 20);
    Map<String, Object> model = hostModel(host, host.prefix() + " — newest runs");
    model.put("groups", groups(host, runs, INDEX_GROUPS, ""));
    model.put("days", index.days(host));
    return html("site-host", model);
  }

  byte[] raw(WorkerHost host) {
    List<SafeString> rows = new ArrayList<>();
    int left = RAW_JOBS;
    for (RunState run : index.newest(host, RAW_JOBS)) {
      if (left == 0) {
        break;
      }
      int count = Math.min(left, run.jobs().size());
      rows.add(rawRows(run, count));
      left -= count;
    }
    Map<String, Object> model = hostModel(host, host.prefix() + " — newest jobs");
    model.put("rows", rows);
    model.put("limit", RAW_JOBS);
    return html("site-raw", model);
  }

  /** The raw page's rows of a run's newest {@code count} jobs. */
  private SafeString rawRows(RunState run, int count) {
    // One entry per run, the count among its sources: a key per count would keep an old copy
    // of the run for every count it ever had.
    return fragments.get(
        "raw|" + run.id(),
        List.of(run, count),
        () -> {
          List<Map<String, Object>> jobs = new ArrayList<>();
          for (JobEntry job : Views.newestFirst(run).subList(0, count)) {
            Map<String, Object> view = views.job(run, job, "");
            view.putAll(views.commit(run));
            jobs.add(view);
          }
          return new SafeString(Templates.shared().render("site-raw-rows", Map.of("jobs", jobs)));
        });
  }

  byte @Nullable [] dayHtml(WorkerHost host, String day) {
    List<RunState> runs = index.ofDay(host, day);
    if (runs.isEmpty()) {
      return null;
    }
    Map<String, Object> model = hostModel(host, host.prefix() + " — runs of " + day);
    model.put("root", "../../");
    model.put("base", "../");
    model.put("day", day);
    model.put("groups", groups(host, runs, Integer.MAX_VALUE, "../"));
    return html("site-day", model);
  }

  byte @Nullable [] commitHtml(WorkerHost host, String commit) {
    List<RunState> runs = index.ofCommit(host, commit);
    if (runs.isEmpty()) {
      return null;
    }
    List<SafeString> groups = new ArrayList<>();
    for (RunState run : runs) {
      groups.add(card(WorkerHost.GITHUB, List.of(run), "../"));
    }
    Map<String, Object> model = hostModel(host, "commit " + SiteText.shortHash(commit));
    model.put("root", "../../");
    model.put("base", "../");
    model.putAll(views.commit(runs.get(0)));
    model.put("c", views.commit(runs.get(0)));
    model.put("groups", groups);
    return html("site-commit", model);
  }

  byte @Nullable [] runHtml(WorkerHost host, RunId run) {
    RunState state = index.run(host, run);
    if (state == null) {
      return null;
    }
    Map<String, Object> model = hostModel(host, host.prefix() + " run " + run.value());
    model.put("root", "../../");
    model.put("base", "../");
    model.putAll(runModel.model(host, state));
    return html("site-run", model);
  }

  byte @Nullable [] hostJson(WorkerHost host) {
    return json.host(host, index.newest(host, INDEX_GROUPS));
  }

  byte @Nullable [] runJson(WorkerHost host, RunId run) {
    RunState state = index.run(host, run);
    return state == null ? null : json.run(host, state, runModel);
  }

  byte @Nullable [] statusJson(WorkerHost host, String statusRunId) {
    List<RunState> runs = index.ofStatusId(host, statusRunId);
    return runs.isEmpty() ? null : json.status(host, statusRunId, runs);
  }

  /** Each group's card, rendered once per version of its runs. */
  private List<SafeString> groups(WorkerHost host, List<RunState> runs, int limit, String base) {
    List<SafeString> out = new ArrayList<>();
    for (List<RunState> group : Views.groups(host, runs, limit)) {
      out.add(card(host, group, base));
    }
    return out;
  }

  private SafeString card(WorkerHost grouping, List<RunState> runs, String base) {
    String key = "card|" + grouping + "|" + base + "|" + runs.get(0).id();
    return fragments.get(
        key,
        runs,
        () ->
            new SafeString(
                Templates.shared()
                    .render("site-group", Map.of("g", views.group(grouping, runs, base)))));
  }

  private static Map<String, Object> hostModel(WorkerHost host, String title) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("title", title);
    model.put("root", "../");
    model.put("base", "");
    model.put("host", host.id());
    model.put("prefix", host.prefix());
    return model;
  }

  private static byte[] html(String template, Map<String, Object> model) {
    return Templates.shared().render(template, model).getBytes(StandardCharsets.UTF_8);
  }
}
