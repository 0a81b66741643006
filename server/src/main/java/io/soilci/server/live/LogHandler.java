package io.soilci.server.live;

import io.soilci.result.BadInput;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.TaskName;
import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.http.ErrorMapper;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Metrics;
import io.soilci.server.http.Query;
import io.soilci.server.http.Responses;
import io.soilci.server.http.SmallBody;
import io.soilci.server.site.JobLost;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.OptionalLong;

/**
 * {@code POST /log?workerHost=H&runId=R&jobName=J&task=T[&offset=N]}: the body (at most 64 KiB of
 * the task's output, read whole by {@link SmallBody} before this runs) is appended to the task's
 * live log; authenticated like events. {@code offset}, the chunk's first byte in the task's log,
 * makes a chunk sent again (a retry) kept once.
 */
public final class LogHandler implements HttpHandler {
  private final Authenticator auth;
  private final LiveChanges logs;
  private final SiteChanges changes;
  private final Metrics metrics;
  private final JobClaims claims;

  /**
   * With the site, whose lease of the job each chunk renews; a chunk of a job the {@code claims}
   * keep from its worker is refused.
   */
  public LogHandler(
      Authenticator auth,
      LiveChanges logs,
      SiteChanges changes,
      Metrics metrics,
      JobClaims claims) {
    this.auth = auth;
    this.claims = claims;
    this.metrics = metrics;
    this.logs = logs;
    this.changes = changes;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Query query = new Query(exchange);
    JobRef ref = query.jobRef();
    TaskName task = new TaskName(query.require("task"));
    OptionalLong sent = sent(query);
    ErrorMapper.about(exchange, ref.toString());
    Worker worker =
        auth.authorize(
            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION), Scope.of(ref.host()));
    claims.check(worker.name(), ref);
    byte[] chunk =
        SmallBody.of(exchange)
            .orElseThrow(() -> new IllegalStateException("/log needs SmallBody before it"));
    try {
      changes.heard(ref);
    } catch (JobLost e) {
      throw HttpError.conflict(String.valueOf(e.getMessage()));
    }
    long end = logs.append(ref, task, worker.name(), sent, chunk);
    metrics.liveLogAppended(chunk.length);
    Responses.text(exchange, 200, "log " + ref + "/" + task + " " + end);
  }

  /** Where the worker says the chunk begins in the task's log, if it says. */
  private static OptionalLong sent(Query query) {
    var value = query.optional("offset");
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    if (!value.get().matches("[0-9]{1,15}")) {
      throw new BadInput(
          "offset '"
              + Printable.of(value.get())
              + "' must be the chunk's byte offset in the task's log: 0 or a positive integer");
    }
    return OptionalLong.of(Long.parseLong(value.get()));
  }

  /** The 413 of a chunk of {@code size} ("65537 bytes"), over {@link LiveLogs#MAX_CHUNK_BYTES}. */
  public static HttpError tooLarge(String size) {
    return HttpError.tooLarge(
        "log chunk of "
            + size
            + " is over the limit of "
            + LiveLogs.MAX_CHUNK_BYTES
            + " bytes; send the log in smaller chunks");
  }
}
