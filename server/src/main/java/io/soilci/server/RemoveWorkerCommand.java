package io.soilci.server;

import io.nats.client.Connection;
import io.soilci.result.BadInput;
import io.soilci.server.auth.SharedWorkers;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.DistributedSettings;
import io.soilci.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code remove-worker}: removes a worker's token; the server refuses it from then on. */
@Command(
    name = "remove-worker",
    mixinStandardHelpOptions = true,
    description = {
      "Remove a worker's token: the running server refuses it at once (401).",
      "With a config of the distributed mode, from the cluster's bucket: every replica refuses it."
    })
final class RemoveWorkerCommand implements Callable<Integer> {
  private static final int LISTED = 20;

  @Mixin SiteOptions options = new SiteOptions();

  @Spec CommandSpec spec = CommandSpec.create();

  @Parameters(index = "0", paramLabel = "NAME", description = "The worker's name, e.g. gh-runner.")
  String name = "";

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.config();
    Optional<DistributedSettings> cluster = config.distributed();
    Path file = config.stateLayout().workers();
    WorkerStore local = new WorkerStore(config.stateLayout());
    if (cluster.isPresent()) {
      String url = cluster.get().events().toString();
      boolean held;
      try (Connection connection = SharedWorkers.connect(url)) {
        List<String> names = SharedWorkers.names(connection);
        if (!names.contains(Worker.requireName(name)) && !local.names().contains(name)) {
          // A delete marker for a name nobody has would only hide a typo.
          throw new BadInput(
              "no worker '"
                  + name
                  + "' in the cluster's key-value bucket "
                  + SharedWorkers.BUCKET
                  + " at "
                  + url
                  + " or in "
                  + file
                  + "; the cluster's workers: "
                  + listed(names)
                  + " (one kept only in another replica's workers.json: run remove-worker with"
                  + " that replica's config)");
        }
        held = SharedWorkers.remove(connection, name);
      }
      spec.commandLine()
          .getErr()
          .println(
              "soil-server: worker '"
                  + name
                  + "' removed from the cluster's key-value bucket "
                  + SharedWorkers.BUCKET
                  + " at "
                  + url
                  + (held ? "" : " (it held no token of it: one in a replica's workers.json)")
                  + "; every replica refuses it now");
      return 0;
    }
    if (!local.remove(name)) {
      throw new BadInput(
          "no worker '" + name + "' in " + file + ", which holds " + listed(local.names()));
    }
    spec.commandLine().getErr().println("soil-server: worker '" + name + "' removed from " + file);
    return 0;
  }

  /** The workers {@code names}, quoted, at most {@value #LISTED} of them. */
  static String listed(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    String quoted =
        names.stream().limit(LISTED).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    return names.size() > LISTED ? quoted + " and " + (names.size() - LISTED) + " more" : quoted;
  }
}
