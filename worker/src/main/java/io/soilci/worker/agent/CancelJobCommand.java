package io.soilci.worker.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.soilci.result.BadInput;
import io.soilci.worker.publish.ServerUri;
import io.soilci.worker.publish.Token;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cancel-job ID}: cancels a coordinator job, queued or running. */
@Command(
    name = "cancel-job",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels a job of the server's coordinator: a queued one ends at once; a running one's agent"
          + " kills its tasks and publishes what ran as cancelled. Token scope: submit."
    })
public final class CancelJobCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ID", description = "The job's id, as submit printed it.")
  long id;

  @Option(names = "--server", required = true, paramLabel = "URL", description = "The server.")
  String server = "";

  @Option(names = "--token-file", paramLabel = "FILE", description = "Default: SOIL_TOKEN.")
  @Nullable Path tokenFile;

  @Spec CommandSpec spec = CommandSpec.create();

  @Override
  public Integer call() {
    CoordinatorClient client =
        new CoordinatorClient(ServerUri.parse(server), Token.find(tokenFile, System.getenv()));
    JsonNode answer;
    try {
      answer = client.cancel(id);
    } catch (CoordinatorClient.Refused e) {
      throw new BadInput("cancel-job " + id + ": " + e.getMessage());
    }
    spec.commandLine()
        .getOut()
        .printf(
            "%s %d %s/%s%n",
            answer.path("cancelRequested").asBoolean()
                ? "cancelling"
                : answer.path("state").asText(),
            id,
            answer.path("runId").asText(),
            answer.path("job").asText());
    return 0;
  }
}
