package io.soilci.server.site;

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
    Set<TestKey> tests = new LinkedHashSet<>();
    for (RunState run : index.newest(host, runs)) {
      pages.addAll(RunPages.of(host, run));
      badges.addAll(Page.badgesOf(host, run));
      for (JobEntry job : run.jobs().values()) {
        JobFacts facts = job.stored();
        if (facts != null) {
          tests.addAll(facts.tests().pageKeys());
        }
      }
    }
    pages.addAll(badges);
    pages.addAll(TestPages.pagesOf(host, tests));
    pages.add(new Page.HostIndex(host));
    pages.add(new Page.HostJson(host));
    pages.add(new Page.RawHtml(host));
    return pages;
  }

  /**
   * Every page whose content may differ after {@code changes} (runs found changed at start, as
   * {@link Change#pages} names them for one change): the runs' own pages before and after, their
   * badges and tests' history pages, and their hosts' pages.
   */
  static List<Page> pagesOfChanged(SiteIndex index, List<SavedIndex.RunChange> changes) {
    Set<Page> pages = new LinkedHashSet<>();
    for (SavedIndex.RunChange change : changes) {
      WorkerHost host = change.host();
      Set<TestKey> tests = new LinkedHashSet<>();
      for (RunState run : new RunState[] {change.before(), change.after()}) {
        if (run == null) {
          continue;
        }
        pages.addAll(RunPages.of(host, run));
        pages.addAll(Page.badgesOf(host, run));
        for (JobEntry job : run.jobs().values()) {
          JobFacts facts = job.stored();
          if (facts != null) {
            tests.addAll(facts.tests().pageKeys());
            JobTests results = facts.tests().results();
            for (int i = 0; i < results.size(); i++) {
              if (index.hasTestPage(host, results.key(i))) {
                tests.add(results.key(i));
              }
            }
          }
        }
      }
      pages.addAll(TestPages.pagesOf(host, tests));
      pages.add(new Page.HostIndex(host));
      pages.add(new Page.HostJson(host));
      pages.add(new Page.RawHtml(host));
      pages.add(new Page.Home());
    }
    return List.copyOf(pages);
  }

  static List<Page> pagesOf(SiteIndex index, WorkerHost host) {
    Set<Page> pages = new LinkedHashSet<>();
    index.all(host).forEach(run -> pages.addAll(RunPages.of(host, run)));
    index.newest(host, Badges.SCAN_RUNS).forEach(run -> pages.addAll(Page.badgesOf(host, run)));
    pages.addAll(TestPages.pagesOf(host, index.testPages(host)));
    pages.add(new Page.HostIndex(host));
    pages.add(new Page.HostJson(host));
    pages.add(new Page.RawHtml(host));
    return List.copyOf(pages);
  }
}
