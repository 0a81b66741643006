package io.soilci.server.site;

import io.soilci.result.JobRef;
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
  static final int RAW_JOBS = 500;

  /** Groups per host on the home page. */
  static final int HOME_GROUPS = 8;

  private final SiteIndex index;
  private final Views views;
  private final RunPageModel runModel;
  private final JsonPages json;

  PageRenderer(SiteIndex index, SiteSettings settings) {
    this.index = index;
    this.views = new Views(settings.repositoryUrl());
    this.runModel = new RunPageModel(settings.root(), views);
    this.json = new JsonPages(index);
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
    List<Map<String, Object>> jobs = new ArrayList<>();
    for (SiteIndex.RunJob rj : index.newestJobs(host, RAW_JOBS)) {
      Map<String, Object> job = views.job(rj.run(), rj.job(), "");
      job.putAll(views.commit(rj.run()));
      jobs.add(job);
    }
    Map<String, Object> model = hostModel(host, host.prefix() + " — newest jobs");
    model.put("jobs", jobs);
    model.put("limit", RAW_JOBS);
    return html("site-raw", model);
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
    List<Map<String, Object>> groups = new ArrayList<>();
    for (RunState run : runs) {
      groups.add(views.group(WorkerHost.GITHUB, List.of(run), "../"));
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

  byte @Nullable [] runningFile(JobRef job) {
    JobEntry entry = index.job(job);
    RunningJob running = entry == null ? null : entry.running();
    return running == null ? null : RunningFiles.format(running);
  }

  private List<Map<String, Object>> groups(
      WorkerHost host, List<RunState> runs, int limit, String base) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<RunState> group : Views.groups(host, runs, limit)) {
      out.add(views.group(host, group, base));
    }
    return out;
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
