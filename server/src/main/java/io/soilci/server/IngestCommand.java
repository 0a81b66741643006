package io.soilci.server;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.Plural;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.site.RunLocks;
import io.soilci.server.site.Site;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.StoredJob;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ingest}: a job's files are already in place (e.g. over SFTP); check them, update pages.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a job's .wwz, .tsv and .json already under the site (copied over SFTP)",
      "and update the pages: through the server running on this site if there is one",
      "(it leaves its address in STATE/server.json), else directly.",
      "Exit 2 if a file is invalid."
    })
final class IngestCommand implements Callable<Integer> {
  @Mixin SiteOptions options = new SiteOptions();

  @Spec CommandSpec spec = CommandSpec.create();

  @Parameters(
      index = "0",
      paramLabel = "PREFIX/RUN/JOB",
      description = "e.g. github-jobs/4101/cpp-small")
  String job = "";

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.config();
    JobRef ref = parse(job);
    StoredJob stored =
        new ResultStore(config.site(), config.stateLayout(), config.limits(), new RunLocks())
            .ingest(ref);
    Optional<String> server = LocalServer.updatePages(config.stateLayout(), ref);
    if (server.isEmpty()) {
      try (Site site = Site.open(SoilServer.siteSettings(config))) {
        site.jobStored(ref, stored.meta(), stored.rows());
      }
    }
    String how = server.map(url -> "; pages updated by the server at " + url).orElse("");
    spec.commandLine()
        .getOut()
        .println("ingested " + ref + " (" + Plural.count(stored.rows().size(), "task") + ")" + how);
    return 0;
  }

  static JobRef parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length != 3) {
      throw new BadInput(
          "job '" + text + "' must be PREFIX/RUN/JOB, e.g. github-jobs/4101/cpp-small");
    }
    return new JobRef(WorkerHost.fromPrefix(parts[0]), new RunId(parts[1]), new JobName(parts[2]));
  }
}
