package io.soilci.server.http;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import java.util.Optional;

/** Query parameters: each at most once, absent or present. */
public final class Query {
  private final HttpServerExchange exchange;

  public Query(HttpServerExchange exchange) {
    this.exchange = exchange;
  }

  /** The parameter's value; a missing or repeated parameter is bad input. */
  public String require(String name) {
    return optional(name)
        .orElseThrow(() -> new BadInput("query parameter '" + name + "' is required"));
  }

  /** The parameter's value if given once; repeated is bad input. */
  public Optional<String> optional(String name) {
    Deque<String> values = exchange.getQueryParameters().get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new BadInput("query parameter '" + name + "' must be given once");
    }
    return Optional.of(values.getFirst());
  }

  /**
   * The job a request is about: {@code workerHost}, {@code runId} (sourcehut may send {@code jobId}
   * instead, as Soil does) and {@code jobName}.
   */
  public JobRef jobRef() {
    WorkerHost host = WorkerHost.parse(require("workerHost"));
    Optional<String> runId = optional("runId");
    Optional<String> jobId = optional("jobId");
    if (runId.isPresent() && jobId.isPresent() && !runId.equals(jobId)) {
      throw new BadInput("give runId or jobId, not both");
    }
    String run =
        runId
            .or(() -> jobId)
            .orElseThrow(() -> new BadInput("query parameter 'runId' is required"));
    return new JobRef(host, new RunId(run), new JobName(require("jobName")));
  }

  /** {@code name} as a non-negative integer at most {@code max}. */
  public Optional<Integer> integer(String name, int max) {
    return optional(name).map(value -> parseInt(name, value, max));
  }

  private static int parseInt(String name, String value, int max) {
    if (value.matches("[0-9]{1,9}")) {
      int number = Integer.parseInt(value);
      if (number <= max) {
        return number;
      }
    }
    throw new BadInput(name + " '" + Printable.of(value) + "' must be an integer from 0 to " + max);
  }
}
