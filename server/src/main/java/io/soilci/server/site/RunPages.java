package io.soilci.server.site;

import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.List;

/**
 * The one answer to "which pages show this run": its own pages, the pages of its commits and status
 * ids, and its day. Badges are not among them: a badge shows a job's or branch's newest run ({@link
 * Page#badgesOf}), and the host's pages list runs by recency.
 */
final class RunPages {
  private RunPages() {}

  static List<Page> of(WorkerHost host, RunState run) {
    List<Page> pages = new ArrayList<>();
    pages.add(new Page.RunHtml(host, run.id()));
    pages.add(new Page.RunJson(host, run.id()));
    run.commits().forEach(c -> pages.add(new Page.CommitHtml(host, c)));
    run.statusRunIds().forEach(id -> pages.add(new Page.StatusJson(host, id)));
    if (!run.jobs().isEmpty()) {
      // A run without jobs has no start, so no day lists it.
      pages.add(new Page.DayHtml(host, run.day()));
    }
    return pages;
  }
}
