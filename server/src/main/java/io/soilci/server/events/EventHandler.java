package io.soilci.server.events;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.SafeName;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
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
import io.soilci.server.live.LiveChanges;
import io.soilci.server.site.JobLost;
import io.soilci.server.site.Site;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /event?eventName=start|task-start|task-done|done&workerHost=H&runId=R&jobName=J}: a
 * job's progress. {@code task-start} takes {@code task}; {@code task-done} takes {@code task},
 * {@code status}, {@code elapsed} (and optionally {@code script}, {@code func}, {@code
 * resultsUrl}); {@code done} takes {@code status} and optionally {@code updateStatusApi=1}.
 */
public final class EventHandler implements HttpHandler {
  private static final List<String> EVENTS = List.of("start", "task-start", "task-done", "done");

  /** An event has no body (its facts are in the query); one up to this size is read and ignored. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private final Authenticator auth;
  private final SiteChanges changes;
  private final Metrics metrics;
  private final LiveChanges live;
  private final JobClaims claims;
  private final JobOwnership ownership;

  /**
   * With the live logs, whose tails of a job go when its done event arrives; an event of a job the
   * {@code claims} keep from its worker is refused.
   */
  public EventHandler(
      Authenticator auth,
      SiteChanges changes,
      Metrics metrics,
      LiveChanges live,
      JobClaims claims) {
    this.auth = auth;
    this.claims = claims;
    this.changes = changes;
    this.metrics = metrics;
    this.live = live;
    this.ownership = new JobOwnership(live, changes, claims);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Query query = new Query(exchange);
    String event = query.require("eventName");
    if (!EVENTS.contains(event)) {
      throw new BadInput(
          "eventName '" + Printable.of(event) + "' must be one of " + String.join(", ", EVENTS));
    }
    JobRef ref = query.jobRef();
    ErrorMapper.about(exchange, ref.toString());
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    Worker worker = auth.authorize(authorization, Scope.of(ref.host()));
    claims.check(worker.name(), ref);
    boolean updateStatusApi = query.optional("updateStatusApi").filter("1"::equals).isPresent();
    // Its bad input first (400), as for every other worker: then whether this one may send it.
    Metrics.SiteUpdate change = change(event, ref, query, updateStatusApi);
    if (updateStatusApi) {
      auth.authorize(authorization, Scope.STATUS_API);
    }
    ownership.apply(
        ref,
        worker.name(),
        event,
        () -> {
          try {
            metrics.timeSiteUpdate(change);
          } catch (JobLost e) {
            throw HttpError.conflict(String.valueOf(e.getMessage()));
          }
          // The live logs change only once the site took the event: a refused one (a bad
          // parameter, a lost job) leaves a job's tails and their owner as they were.
          switch (event) {
            case "start" -> live.started(ref, worker.name());
            case "done" -> live.drop(ref, status(query));
            default -> {}
          }
        });
    metrics.eventAccepted(event);
    Responses.text(exchange, 200, event + " " + ref);
  }

  /** The event's change of the site, its parameters checked (400 when one is bad). */
  private Metrics.SiteUpdate change(
      String event, JobRef ref, Query query, boolean updateStatusApi) {
    switch (event) {
      case "start" -> {
        Map<String, String> facts = startFacts(query);
        var unused = Site.startMeta(ref, facts);
        return () -> changes.jobStarted(ref, facts, updateStatusApi);
      }
      case "task-start" -> {
        TaskName task = task(query);
        return () -> changes.taskStarted(ref, task);
      }
      case "task-done" -> {
        TaskRow row = row(query);
        return () -> {
          changes.taskFinished(ref, row);
          live.taskEnded(ref, row.name(), row.status());
        };
      }
      default -> {
        int status = status(query);
        RunId statusRunId =
            query
                .optional("statusRunId")
                .map(id -> new RunId(SafeName.require("statusRunId", id)))
                .orElse(null);
        String note = query.optional("cancelled").map(EventHandler::cancelledNote).orElse("");
        return () -> changes.jobDone(ref, status, updateStatusApi, statusRunId, note);
      }
    }
  }

  /**
   * The 413 of an event with a body of {@code size} ("65537 bytes"), over {@link #MAX_BODY_BYTES}.
   */
  public static HttpError tooLarge(String size) {
    return HttpError.tooLarge(
        "event body of "
            + size
            + " is over the limit of "
            + MAX_BODY_BYTES
            + " bytes; an event has no body: its facts go in the query string");
  }

  /** {@code cancelled=SIGTERM}: the signal that cancelled the job, as pages show it. */
  private static String cancelledNote(String signal) {
    if (!signal.matches("SIG[A-Z0-9]{1,12}")) {
      throw new BadInput(
          "cancelled '"
              + Printable.of(signal)
              + "' must name the signal that cancelled the job, e.g. SIGTERM or SIGINT");
    }
    return "cancelled by " + signal;
  }

  /** The JOB.json keys a start event may carry, given as parameters of the same names. */
  private static Map<String, String> startFacts(Query query) {
    Map<String, String> facts = new LinkedHashMap<>();
    for (String key : JobMeta.START_EVENT_KEYS) {
      query.optional(key).ifPresent(value -> facts.put(key, value));
    }
    return facts;
  }

  private static TaskName task(Query query) {
    return new TaskName(query.require("task"));
  }

  private static int status(Query query) {
    return query
        .integer("status", 255)
        .orElseThrow(() -> new BadInput("query parameter 'status' is required"));
  }

  private static TaskRow row(Query query) {
    TaskName task = task(query);
    int status = status(query);
    String elapsed = query.require("elapsed");
    if (!elapsed.matches("[0-9]{1,12}(\\.[0-9]{1,9})?")) {
      throw new BadInput(
          "elapsed '" + Printable.of(elapsed) + "' must be a number of seconds, e.g. 12.5");
    }
    return new TaskRow(
        status,
        Double.parseDouble(elapsed),
        task,
        query.optional("script").orElse(TaskRow.NONE),
        query.optional("func").orElse(TaskRow.NONE),
        query.optional("resultsUrl").orElse(TaskRow.NONE));
  }
}
