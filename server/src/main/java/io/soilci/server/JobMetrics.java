package io.soilci.server;

import io.soilci.result.WorkerHost;
import io.soilci.server.http.MetricSource;
import io.soilci.server.http.PromText;
import io.soilci.server.site.JobCounts;
import io.soilci.server.site.Site;

/**
 * The jobs in the site's index per host and state ({@code soil_jobs{host,state}}), and the pages
 * this server rendered ({@code soil_pages_rendered_total}: in the distributed mode, only the pages
 * of the roles it holds).
 */
final class JobMetrics implements MetricSource {
  private final Site site;

  JobMetrics(Site site) {
    this.site = site;
  }

  @Override
  public void writeTo(PromText out) {
    out.family(
        "soil_pages_rendered_total",
        "counter",
        "Pages rendered since start, written or not (the distributed mode: its roles' pages only).");
    out.sample("soil_pages_rendered_total", "", site.pagesRendered());
    out.family(
        "soil_jobs",
        "gauge",
        "Jobs of the runs the site keeps, by host and state (lost and cancelled are not failed).");
    for (WorkerHost host : WorkerHost.values()) {
      JobCounts counts = site.jobCounts(host);
      for (JobCounts.State state : JobCounts.State.values()) {
        out.sample(
            "soil_jobs",
            PromText.label("host", host.id()) + "," + PromText.label("state", state.label()),
            counts.count(state));
      }
    }
  }
}
