package io.soilci.server.site;

import io.soilci.result.JobRef;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Every page of a host, for a full rebuild. */
final class Regeneration {
  private Regeneration() {}

  /**
   * The pages of the newest runs of a host and the host's own pages: what an event interrupted by a
   * crash may have left stale. Rendered at open; only those that differ are written.
   */
  static List<Page> recentPagesOf(SiteIndex index, WorkerHost host, int runs) {
    List<Page> pages = new ArrayList<>();
    Set<Page> badges = new LinkedHashSet<>();
    for (RunState run : index.newest(host, runs)) {
      pages.add(new Page.RunHtml(host, run.id()));
      pages.add(new Page.RunJson(host, run.id()));
      run.commits().forEach(c -> pages.add(new Page.CommitHtml(host, c)));
      run.statusRunIds().forEach(id -> pages.add(new Page.StatusJson(host, id)));
      pages.add(new Page.DayHtml(host, run.day()));
      badges.addAll(Page.badgesOf(host, run));
      for (JobEntry job : run.jobs().values()) {
        if (job.running() != null) {
          pages.add(new Page.RunningFile(new JobRef(host, run.id(), job.name())));
        }
      }
    }
    pages.addAll(badges);
    pages.add(new Page.HostIndex(host));
    pages.add(new Page.HostJson(host));
    pages.add(new Page.RawHtml(host));
    return pages;
  }

  static List<Page> pagesOf(SiteIndex index, WorkerHost host) {
    List<Page> pages = new ArrayList<>();
    for (RunState run : index.all(host)) {
      pages.add(new Page.RunHtml(host, run.id()));
      pages.add(new Page.RunJson(host, run.id()));
      for (JobEntry job : run.jobs().values()) {
        if (job.running() != null) {
          pages.add(new Page.RunningFile(new JobRef(host, run.id(), job.name())));
        }
      }
    }
    Set<Page> badges = new LinkedHashSet<>();
    index.newest(host, Badges.SCAN_RUNS).forEach(run -> badges.addAll(Page.badgesOf(host, run)));
    pages.addAll(badges);
    index.commits(host).forEach(c -> pages.add(new Page.CommitHtml(host, c)));
    index.days(host).forEach(d -> pages.add(new Page.DayHtml(host, d)));
    index.statusIds(host).forEach(id -> pages.add(new Page.StatusJson(host, id)));
    pages.add(new Page.HostIndex(host));
    pages.add(new Page.HostJson(host));
    pages.add(new Page.RawHtml(host));
    return pages;
  }
}
