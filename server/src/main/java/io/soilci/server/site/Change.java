package io.soilci.server.site;

import io.soilci.result.JobRef;
import io.soilci.result.WorkerHost;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What one change did to a run: the run before and after, and whether the job or the run just
 * finished. It names the pages the change affects; {@code testPages} are the history pages of the
 * changed job's tests ({@link TestPages}), found when the change was made.
 */
record Change(
    JobRef job,
    @Nullable RunState before,
    RunState after,
    boolean jobFinished,
    boolean newRun,
    List<Page> testPages) {
  Change {
    testPages = List.copyOf(testPages);
  }

  WorkerHost host() {
    return job.host();
  }

  /** True when the run is new or arrived earlier than the index knew: its record is written. */
  boolean arrivalChanged() {
    return before == null || before.arrived() != after.arrived();
  }

  /** True when the job finished and no other job of its run still runs. */
  boolean runFinished() {
    return jobFinished && !after.inProgress();
  }

  /** Every page whose content may differ after this change. */
  List<Page> pages() {
    Set<Page> pages = new LinkedHashSet<>();
    WorkerHost host = host();
    for (RunState run : before == null ? List.of(after) : List.of(before, after)) {
      pages.addAll(RunPages.of(host, run));
      pages.addAll(Page.badgesOf(host, run));
    }
    pages.add(new Page.HostIndex(host));
    pages.add(new Page.HostJson(host));
    pages.add(new Page.RawHtml(host));
    pages.add(new Page.Home());
    pages.addAll(testPages);
    return List.copyOf(pages);
  }
}
