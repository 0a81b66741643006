package io.soilci.server.site;

import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A file the site derives from the index: where it lives under the root, and which renderer makes
 * it. A renderer that returns null means the file must not exist (its run or commit is gone).
 */
sealed interface Page {
  /** The path under the site root, with '/' separators. */
  String path();

  byte @Nullable [] render(PageRenderer renderer);

  /** The home page: each host's recent state. */
  record Home() implements Page {
    @Override
    public String path() {
      return SiteLayout.home();
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.home();
    }
  }

  /** A host's newest runs, grouped. */
  record HostIndex(WorkerHost host) implements Page {
    @Override
    public String path() {
      return SiteLayout.hostIndex(host);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.hostIndex(host);
    }
  }

  /** The host index for machines. */
  record HostJson(WorkerHost host) implements Page {
    @Override
    public String path() {
      return SiteLayout.hostJson(host);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.hostJson(host);
    }
  }

  /** A host's newest jobs, flat. */
  record RawHtml(WorkerHost host) implements Page {
    @Override
    public String path() {
      return SiteLayout.raw(host);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.raw(host);
    }
  }

  /** One run: its jobs and every task. */
  record RunHtml(WorkerHost host, RunId run) implements Page {
    @Override
    public String path() {
      return SiteLayout.runHtml(host, run);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.runHtml(host, run);
    }
  }

  /** One run for machines. */
  record RunJson(WorkerHost host, RunId run) implements Page {
    @Override
    public String path() {
      return SiteLayout.runJson(host, run);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.runJson(host, run);
    }
  }

  /** Every job of one commit, across runs. */
  record CommitHtml(WorkerHost host, String commit) implements Page {
    @Override
    public String path() {
      return SiteLayout.commitHtml(host, commit);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.commitHtml(host, commit);
    }
  }

  /** The runs that started on one UTC day: history older than the host index shows. */
  record DayHtml(WorkerHost host, String day) implements Page {
    @Override
    public String path() {
      return SiteLayout.dayHtml(host, day);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.dayHtml(host, day);
    }
  }

  /** The status API's summary of a run for machines: every job, running or done. */
  record StatusJson(WorkerHost host, String statusRunId) implements Page {
    @Override
    public String path() {
      return SiteLayout.statusJson(host, statusRunId);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.statusJson(host, statusRunId);
    }
  }

  /** A branch's status badge: its newest run. */
  record BranchBadge(WorkerHost host, String file) implements Page {
    @Override
    public String path() {
      return SiteLayout.branchBadge(host, file);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.badges().branch(host, file);
    }
  }

  /** A job's status badge: its newest result. */
  record JobBadge(WorkerHost host, JobName job) implements Page {
    @Override
    public String path() {
      return SiteLayout.jobBadge(host, job);
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.badges().job(host, job);
    }
  }

  /** A test's history: its results across the kept runs ({@link TestPages}). */
  record TestHtml(WorkerHost host, TestKey test) implements Page {
    @Override
    public String path() {
      return SiteLayout.testHtml(host, test.id());
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.tests().html(host, test);
    }
  }

  /** A test's history for machines. */
  record TestJson(WorkerHost host, TestKey test) implements Page {
    @Override
    public String path() {
      return SiteLayout.testJson(host, test.id());
    }

    @Override
    public byte @Nullable [] render(PageRenderer r) {
      return r.tests().json(host, test);
    }
  }

  /** The badges a run shows on: its branch's and each of its jobs'. */
  static List<Page> badgesOf(WorkerHost host, RunState run) {
    List<Page> pages = new ArrayList<>();
    String branch = Badges.pushedBranch(run);
    if (!branch.isEmpty()) {
      pages.add(new BranchBadge(host, Badges.fileName(branch)));
    }
    run.jobs().values().forEach(j -> pages.add(new JobBadge(host, j.name())));
    return pages;
  }
}
