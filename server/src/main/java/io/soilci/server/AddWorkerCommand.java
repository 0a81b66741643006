package io.soilci.server;

import io.nats.client.Connection;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.SharedWorkers;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.config.ServerConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code add-worker}: creates a worker token; prints the secret once, stores only its hash. */
@Command(
    name = "add-worker",
    mixinStandardHelpOptions = true,
    description = {
      "Create a token for a worker and print it once as NAME:SECRET.",
      "Only a slow hash of the secret is stored, in the state folder (never served); with a",
      "config of the distributed mode, in the cluster's bucket, where every replica reads it.",
      "Send it as HTTP Basic (user NAME, password SECRET) or 'Authorization: Bearer NAME:SECRET'."
    })
final class AddWorkerCommand implements Callable<Integer> {
  @Mixin SiteOptions options = new SiteOptions();

  @Spec CommandSpec spec = CommandSpec.create();

  @Parameters(index = "0", paramLabel = "NAME", description = "The worker's name, e.g. gh-runner.")
  String name = "";

  @Option(
      names = "--scopes",
      required = true,
      paramLabel = "LIST",
      description =
          "Comma-separated: github-jobs, sourcehut-jobs, status-api, add-github-jobs,"
              + " add-sourcehut-jobs; submit and agent for the coordinator.")
  String scopes = "";

  @Option(names = "--replace", description = "Give an existing worker a new token.")
  boolean replace;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.config();
    Worker worker = new Worker(name, Scope.parseList("--scopes", scopes));
    Optional<DistributedSettings> cluster = config.distributed();
    String secret;
    String where;
    if (cluster.isPresent()) {
      String url = cluster.get().events().toString();
      try (Connection connection = SharedWorkers.connect(url)) {
        secret = SharedWorkers.add(connection, worker, replace);
      }
      where =
          "the cluster's key-value bucket "
              + SharedWorkers.BUCKET
              + " at "
              + url
              + ", which every replica reads at once";
    } else {
      secret = new WorkerStore(config.stateLayout()).add(worker, replace);
      where = config.stateLayout().workers().toString();
    }
    spec.commandLine().getOut().println(worker.name() + ":" + secret);
    spec.commandLine()
        .getErr()
        .println(
            "soil-server: token stored hashed in "
                + where
                + "; this is the only time the secret is shown");
    return 0;
  }
}
