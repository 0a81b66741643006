package io.soilci.server;

import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.CredentialGate;
import io.soilci.server.auth.CredentialsHandler;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.coordinator.Coordinator;
import io.soilci.server.coordinator.CoordinatorHandler;
import io.soilci.server.coordinator.CoordinatorReads;
import io.soilci.server.events.EventHandler;
import io.soilci.server.files.MovedRunJsonHandler;
import io.soilci.server.files.SinceGreenHandler;
import io.soilci.server.files.SiteFilesHandler;
import io.soilci.server.http.AccessLog;
import io.soilci.server.http.ErrorMapper;
import io.soilci.server.http.HealthHandler;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.JvmMetrics;
import io.soilci.server.http.MetricSource;
import io.soilci.server.http.Metrics;
import io.soilci.server.http.MetricsHandler;
import io.soilci.server.http.ReadyHandler;
import io.soilci.server.http.Responses;
import io.soilci.server.http.SmallBody;
import io.soilci.server.http.WorkerPoolMetrics;
import io.soilci.server.live.LiveChanges;
import io.soilci.server.live.LiveEventsHandler;
import io.soilci.server.live.LiveLogs;
import io.soilci.server.live.LiveTailHandler;
import io.soilci.server.live.LogHandler;
import io.soilci.server.site.Site;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.ResultsHandler;
import io.soilci.server.upload.UploadContext;
import io.soilci.server.upload.UploadGate;
import io.soilci.server.upload.WwupHandler;
import io.soilci.server.wwz.WwzHandler;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Every route of the server and the order of its handler chain, in one place. */
final class Routes {
  /** How long a read of a page waits for its pending new version ({@link Site#awaitPage}). */
  static final long PAGE_WAIT_MILLIS = 5000;

  /**
   * The memory that small write bodies being read (events, live log chunks) may hold at once: 256
   * whole log chunks; past it such a write is answered 503.
   */
  static final long SMALL_BODIES_BYTES = 16L << 20;

  /**
   * The memory that coordinator submit bodies being read may hold at once: four whole submits of
   * {@link CoordinatorHandler#MAX_BODY}; one worker a quarter of it.
   */
  static final long SUBMIT_BODIES_BYTES = 4L * CoordinatorHandler.MAX_BODY;

  private Routes() {}

  /** What the routes are built from. */
  record Parts(
      ServerConfig config,
      Site site,
      ResultStore store,
      Authenticator auth,
      UploadGate gate,
      WwzHandler wwz,
      SiteFilesHandler files,
      Metrics metrics,
      LiveLogs live,
      LiveChanges liveChanges,
      String ingestKey,
      WorkerPoolMetrics pool,
      Coordinator coordinator,
      SiteChanges changes,
      Supplier<Optional<String>> notReady,
      MetricSource clusterMetrics) {}

  /**
   * AccessLog (every request: one log line, one count) → route by method and path (each route named
   * for the metrics) → for writes: CredentialGate (browsers and bad credentials refused before the
   * body is read, off the worker threads) → HttpContinueReadHandler → for each write:
   * BlockingHandler → ErrorMapper (inside, so its statuses reach the client) → the handler; reads
   * are dispatched to a worker thread but answered non-blocking.
   */
  static AccessLog handler(Parts p) {
    long drain = p.config().limits().drainBytes();
    SmallBody.Budget bodies = new SmallBody.Budget(SMALL_BODIES_BYTES, "request bodies");
    SmallBody.Budget submits = new SmallBody.Budget(SUBMIT_BODIES_BYTES, "submit bodies");
    UploadContext uploads =
        new UploadContext(
            p.store(),
            p.config().limits(),
            p.auth(),
            p.gate(),
            p.changes(),
            p.metrics(),
            p.coordinator());
    HttpHandler results = AccessLog.route("/results", write(p, new ResultsHandler(uploads), drain));
    HttpHandler wwup = AccessLog.route("/wwup", write(p, new WwupHandler(uploads), drain));
    HttpHandler event =
        AccessLog.route(
            "/event",
            smallWrite(
                p,
                new EventHandler(
                    p.auth(), p.changes(), p.metrics(), p.liveChanges(), p.coordinator()),
                EventHandler.MAX_BODY_BYTES,
                EventHandler::tooLarge,
                bodies,
                SmallBody.Admission.ANY));
    // Its body, like an event's, is read and ignored: the answer is about the token alone.
    HttpHandler credentials =
        AccessLog.route(
            CredentialsHandler.PATH,
            smallWrite(
                p,
                new CredentialsHandler(p.auth()),
                CredentialsHandler.MAX_BODY_BYTES,
                CredentialsHandler::tooLarge,
                bodies,
                SmallBody.Admission.ANY));
    // Not behind CredentialGate: its key is no worker token (IngestHandler checks it).
    HttpHandler ingest =
        AccessLog.route("/ingest", blocking(new IngestHandler(p.site(), p.ingestKey()), drain));
    HttpHandler log =
        AccessLog.route(
            "/log",
            smallWrite(
                p,
                new LogHandler(
                    p.auth(), p.liveChanges(), p.changes(), p.metrics(), p.coordinator()),
                LiveLogs.MAX_CHUNK_BYTES,
                LogHandler::tooLarge,
                bodies,
                SmallBody.Admission.ANY));
    HttpHandler liveEvents =
        AccessLog.route(
            LiveEventsHandler.PATH,
            dispatched(reads(p, new LiveEventsHandler(p.live(), p.config().site())), drain));
    HttpHandler liveTail =
        AccessLog.route("/live", dispatched(reads(p, new LiveTailHandler(p.live())), drain));
    HttpHandler wwz =
        AccessLog.route(
            "wwz",
            p.config().publicReads()
                ? fromCacheFirst(p.wwz()::answerFromCache, dispatched(p.wwz(), drain))
                : dispatched(reads(p, p.wwz()), drain));
    HttpHandler filesOnWorker =
        p.config().publicReads()
            ? dispatched(p.files(), drain)
            : dispatched(reads(p, p.files()), drain);
    HttpHandler files =
        AccessLog.route(
            "static",
            writtenPagesOnly(
                p.site(),
                p.config().publicReads()
                    ? fromCacheFirst(p.files()::answerFromCache, filesOnWorker)
                    : filesOnWorker,
                // Credentials first: on a private site nobody without a token holds a thread.
                dispatched(reads(p, afterPageWritten(p.site(), p.files())), drain)));
    HttpHandler moved = AccessLog.route("moved", new MovedRunJsonHandler());
    HttpHandler sinceGreen =
        AccessLog.route(
            "since-green", dispatched(reads(p, new SinceGreenHandler(p.site())), drain));
    HttpHandler health = AccessLog.route("/healthz", new HealthHandler());
    HttpHandler ready = AccessLog.route("/readyz", new ReadyHandler(p.notReady()));
    HttpHandler metrics =
        AccessLog.route(
            "/metrics",
            dispatched(
                new MetricsHandler(
                    List.of(
                        p.metrics(),
                        p.pool(),
                        new JobMetrics(p.site()),
                        p.clusterMetrics(),
                        new JvmMetrics())),
                drain));
    CoordinatorHandler coordinator =
        new CoordinatorHandler(p.coordinator(), p.auth(), p.config().coordinator());
    HttpHandler coordinate = AccessLog.route("/coordinator", write(p, coordinator, drain));
    // A submit's body (up to 8 MiB) is read on the IO thread, once its scope is checked.
    HttpHandler submit =
        AccessLog.route(
            "/coordinator",
            smallWrite(
                p,
                coordinator,
                CoordinatorHandler.MAX_BODY,
                CoordinatorHandler::tooLarge,
                submits,
                CoordinatorHandler::admitSubmit));
    HttpHandler coordinatorReads =
        AccessLog.route(
            "/coordinator-reads",
            dispatched(reads(p, new CoordinatorReads(p.coordinator())), drain));
    HttpHandler other = AccessLog.route("other", Routes::methodNotAllowed);
    HttpHandler router =
        exchange -> {
          String path = exchange.getRelativePath();
          HttpString method = exchange.getRequestMethod();
          boolean post = method.equals(Methods.POST);
          boolean read = method.equals(Methods.GET) || method.equals(Methods.HEAD);
          HttpHandler next;
          if (post && path.equals("/results")) {
            next = results;
          } else if (post && path.equals("/event")) {
            next = event;
          } else if (post && path.equals(CredentialsHandler.PATH)) {
            next = credentials;
          } else if (post && path.equals("/ingest")) {
            next = ingest;
          } else if (post && path.equals("/log")) {
            next = log;
          } else if (read && path.equals(LiveEventsHandler.PATH)) {
            next = liveEvents;
          } else if (read && LiveTailHandler.matches(path)) {
            next = liveTail;
          } else if ((post || read) && (path.equals("/wwup") || path.equals("/uuu/wwup.cgi"))) {
            next = wwup;
          } else if (post && path.equals(CoordinatorHandler.SUBMIT)) {
            next = submit;
          } else if (post && CoordinatorHandler.matchesWrite(path)) {
            next = coordinate;
          } else if (read && CoordinatorReads.matches(path)) {
            next = coordinatorReads;
          } else if (read && path.equals("/healthz")) {
            next = health;
          } else if (read && path.equals("/readyz")) {
            next = ready;
          } else if (read && path.equals("/metrics")) {
            next = metrics;
          } else if (read && WwzHandler.matches(path)) {
            next = wwz;
          } else if (read && MovedRunJsonHandler.matches(path)) {
            next = moved;
          } else if (read && SinceGreenHandler.matches(path)) {
            next = sinceGreen;
          } else {
            next = read ? files : other;
          }
          next.handleRequest(exchange);
        };
    return new AccessLog(router, p.metrics());
  }

  /**
   * A read: on a worker thread (it may inflate or stat files, check a token) but answered
   * non-blocking, so a client that reads slowly or never holds no thread.
   */
  private static HttpHandler dispatched(HttpHandler handler, long drainBytes) {
    HttpHandler mapped = new ErrorMapper(handler, drainBytes);
    return exchange -> {
      if (exchange.isInIoThread()) {
        exchange.dispatch(mapped);
      } else {
        mapped.handleRequest(exchange);
      }
    };
  }

  /** Answers a request on the IO thread if what it asks for is at hand; false if not. */
  private interface AtHand {
    boolean answer(HttpServerExchange exchange);
  }

  /**
   * A public read of the site's files or a zip's entries: answered on the IO thread when what it
   * asks for is at hand, else dispatched like any read.
   */
  private static HttpHandler fromCacheFirst(AtHand atHand, HttpHandler otherwise) {
    return exchange -> {
      if (!atHand.answer(exchange)) {
        otherwise.handleRequest(exchange);
      }
    };
  }

  /**
   * Sends a request for a page that an answered event changed and whose new version is not written
   * yet to {@code waiting}; every other request to {@code usual}.
   */
  private static HttpHandler writtenPagesOnly(Site site, HttpHandler usual, HttpHandler waiting) {
    return exchange -> {
      if (site.pagePending(pagePath(exchange.getRelativePath()))) {
        waiting.handleRequest(exchange);
      } else {
        usual.handleRequest(exchange);
      }
    };
  }

  /** Waits (on a worker thread, bounded) until the asked page is written, then {@code handler}. */
  private static HttpHandler afterPageWritten(Site site, HttpHandler handler) {
    return exchange -> {
      site.awaitPage(pagePath(exchange.getRelativePath()), PAGE_WAIT_MILLIS);
      handler.handleRequest(exchange);
    };
  }

  /** The page a request path names: {@code /github-jobs/} is {@code github-jobs/index.html}. */
  static String pagePath(String requestPath) {
    String path = requestPath.startsWith("/") ? requestPath.substring(1) : requestPath;
    return path.isEmpty() || path.endsWith("/") ? path + "index.html" : path;
  }

  private static HttpHandler blocking(HttpHandler handler, long drainBytes) {
    return new BlockingHandler(new ErrorMapper(handler, drainBytes));
  }

  /** A write: "100 Continue" only once the handler reads the body (after auth and limits). */
  private static HttpHandler write(Parts p, HttpHandler handler, long drainBytes) {
    return new CredentialGate(
        p.auth(),
        new HttpContinueReadHandler(blocking(handler, drainBytes)),
        p.config().guards().minBodyBytesPerSecond(),
        p.config().guards().bodyRateWindowSeconds(),
        drainBytes);
  }

  /**
   * A write whose body is small and bounded ({@code maxBytes}, over it {@code tooLarge}): as {@link
   * #write}, but the body is read whole on the IO thread before the handler takes a worker thread
   * ({@link SmallBody}), so clients that trickle such bodies hold connections, not the threads.
   */
  private static HttpHandler smallWrite(
      Parts p,
      HttpHandler handler,
      int maxBytes,
      Function<String, HttpError> tooLarge,
      SmallBody.Budget bodies,
      SmallBody.Admission admission) {
    long drainBytes = p.config().limits().drainBytes();
    return new CredentialGate(
        p.auth(),
        new HttpContinueReadHandler(
            new SmallBody(
                blocking(handler, drainBytes),
                maxBytes,
                tooLarge,
                bodies,
                CredentialGate::workerName,
                admission,
                drainBytes)),
        p.config().guards().minBodyBytesPerSecond(),
        p.config().guards().bodyRateWindowSeconds(),
        drainBytes);
  }

  /** Reads are public unless configured otherwise; then any worker's token may read. */
  private static HttpHandler reads(Parts p, HttpHandler handler) {
    if (p.config().publicReads()) {
      return handler;
    }
    Authenticator auth = p.auth();
    return exchange -> {
      try {
        auth.authenticate(
            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
            CredentialGate.clientAddress(exchange));
      } catch (HttpError e) {
        // A person reading a private site in a browser is asked for a token; writes never ask.
        throw e.status() == 401 ? e.challenging() : e;
      }
      handler.handleRequest(exchange);
    };
  }

  /**
   * The methods that would work for {@code path} (the router's, relative): a write route's POST,
   * Soil's uploader form GET and POST, everything else (the site's files) GET and HEAD.
   */
  static String allowedMethods(String path) {
    if (path.equals("/wwup") || path.equals("/uuu/wwup.cgi")) {
      return "GET, HEAD, POST";
    }
    boolean write =
        path.equals("/results")
            || path.equals("/event")
            || path.equals("/ingest")
            || path.equals("/log")
            || path.equals(CredentialsHandler.PATH)
            || CoordinatorHandler.matchesWrite(path);
    return write ? "POST" : "GET, HEAD";
  }

  private static void methodNotAllowed(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.ALLOW, allowedMethods(exchange.getRelativePath()));
    Responses.text(
        exchange,
        405,
        "method "
            + exchange.getRequestMethod()
            + " is not allowed on "
            + exchange.getRequestPath());
  }
}
