package io.soilci.server.site;

import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.web.Templates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
      h.put("groups", text(groups(host, runs, HOME_GROUPS, host.prefix() + "/")));
      hosts.add(h);
    }
    return html("site-home", Map.of("title", "Soil", "root", "", "hosts", hosts));
  }

  byte[] hostIndex(WorkerHost host) {
    List<RunState> runs = index.newest(host, INDEX_GROUPS * 20);
    Map<String, Object> model = hostModel(host, host.prefix() + " — newest runs");
    model.put("days", index.days(host));
    return assembled("site-host", model, "groups", groups(host, runs, INDEX_GROUPS, ""));
  }

  byte[] raw(WorkerHost host) {
    List<byte[]> rows = new ArrayList<>();
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
    model.put("limit", RAW_JOBS);
    return assembled("site-raw", model, "rows", rows);
  }

  /** The raw page's rows of a run's newest {@code count} jobs. */
  private byte[] rawRows(RunState run, int count) {
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
          return Templates.shared()
              .render("site-raw-rows", Map.of("jobs", jobs))
              .getBytes(StandardCharsets.UTF_8);
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
    return assembled("site-day", model, "groups", groups(host, runs, Integer.MAX_VALUE, "../"));
  }

  byte @Nullable [] commitHtml(WorkerHost host, String commit) {
    List<RunState> runs = index.ofCommit(host, commit);
    if (runs.isEmpty()) {
      return null;
    }
    List<byte[]> groups = new ArrayList<>();
    for (RunState run : runs) {
      groups.add(card(WorkerHost.GITHUB, List.of(run), "../"));
    }
    Map<String, Object> model = hostModel(host, "commit " + SiteText.shortHash(commit));
    model.put("root", "../../");
    model.put("base", "../");
    model.putAll(views.commit(runs.get(0)));
    model.put("c", views.commit(runs.get(0)));
    model.put("groups", text(groups));
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
  private List<byte[]> groups(WorkerHost host, List<RunState> runs, int limit, String base) {
    List<byte[]> out = new ArrayList<>();
    for (List<RunState> group : Views.groups(host, runs, limit)) {
      out.add(card(host, group, base));
    }
    return out;
  }

  private byte[] card(WorkerHost grouping, List<RunState> runs, String base) {
    String key = "card|" + grouping + "|" + base + "|" + runs.get(0).id();
    return fragments.get(
        key,
        runs,
        () ->
            Templates.shared()
                .render("site-group", Map.of("g", views.group(grouping, runs, base)))
                .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The page {@code template} renders from {@code model} with {@code pieces} (UTF-8) as its list
   * {@code list}, which the template writes one after another and nowhere else: the page around
   * them is rendered once per model and kept as bytes, and the pieces are copied in, never decoded
   * or encoded again. The same bytes as rendering the pieces through the template.
   */
  private byte[] assembled(
      String template, Map<String, Object> model, String list, List<byte[]> pieces) {
    if (pieces.isEmpty()) {
      model.put(list, List.of());
      return html(template, model);
    }
    model.put(list, List.of(new SafeString(SLOT)));
    Frame frame =
        fragments.get(
            "frame|" + template + "|" + model, List.of(), () -> Frame.of(html(template, model)));
    int size = frame.before().length + frame.after().length;
    for (byte[] piece : pieces) {
      size += piece.length;
    }
    byte[] page = new byte[size];
    System.arraycopy(frame.before(), 0, page, 0, frame.before().length);
    int at = frame.before().length;
    for (byte[] piece : pieces) {
      System.arraycopy(piece, 0, page, at, piece.length);
      at += piece.length;
    }
    System.arraycopy(frame.after(), 0, page, at, frame.after().length);
    return page;
  }

  /** Where the pieces go in a rendered frame: no page text holds a NUL. */
  private static final String SLOT = "\u0000pieces\u0000";

  /** A page rendered around {@link #SLOT}: its bytes before and after it. */
  private record Frame(byte[] before, byte[] after) {
    static Frame of(byte[] page) {
      byte[] slot = SLOT.getBytes(StandardCharsets.UTF_8);
      int at = indexOf(page, slot);
      if (at < 0 || indexOf(Arrays.copyOfRange(page, at + 1, page.length), slot) >= 0) {
        throw new IllegalStateException("a page template must write its pieces' list once");
      }
      return new Frame(
          Arrays.copyOfRange(page, 0, at), Arrays.copyOfRange(page, at + slot.length, page.length));
    }

    private static int indexOf(byte[] in, byte[] what) {
      outer:
      for (int i = 0; i + what.length <= in.length; i++) {
        for (int j = 0; j < what.length; j++) {
          if (in[i + j] != what[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }

  /** Pieces for a template that writes them as text (pages that are rendered seldom). */
  private static List<SafeString> text(List<byte[]> pieces) {
    List<SafeString> out = new ArrayList<>(pieces.size());
    for (byte[] piece : pieces) {
      out.add(new SafeString(new String(piece, StandardCharsets.UTF_8)));
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
