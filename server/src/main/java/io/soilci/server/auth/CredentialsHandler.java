package io.soilci.server.auth;

import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.http.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * {@code POST /credentials?workerHost=H[&updateStatusApi=1]}: whether the request's token may
 * publish H's jobs (and write status files); 200 naming the worker, else 401 or 403. Changes
 * nothing: {@code run-job --server} asks it before the job runs, so a wrong token stops the job
 * before its tasks do.
 */
public final class CredentialsHandler implements HttpHandler {
  public static final String PATH = "/credentials";

  /** It has no body; one up to this size is read and ignored. */
  public static final int MAX_BODY_BYTES = 1024;

  private final Authenticator auth;

  public CredentialsHandler(Authenticator auth) {
    this.auth = auth;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Query query = new Query(exchange);
    WorkerHost host = WorkerHost.parse(query.require("workerHost"));
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    Worker worker = auth.authorize(authorization, Scope.of(host));
    String may = Scope.of(host).folder();
    if (query.optional("updateStatusApi").filter("1"::equals).isPresent()) {
      auth.authorize(authorization, Scope.STATUS_API);
      may += " and " + Scope.STATUS_API.folder();
    }
    Responses.text(exchange, 200, "worker '" + worker.name() + "' may write " + may);
  }

  /** The 413 of a request with a body of {@code size} ("1025 bytes"). */
  public static HttpError tooLarge(String size) {
    return HttpError.tooLarge(
        "credentials check body of "
            + size
            + " is over the limit of "
            + MAX_BODY_BYTES
            + " bytes; it has no body: send workerHost in the query string");
  }
}
