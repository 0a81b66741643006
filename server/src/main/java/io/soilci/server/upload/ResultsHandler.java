package io.soilci.server.upload;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.Plural;
import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.config.Limits;
import io.soilci.server.http.ErrorMapper;
import io.soilci.server.http.Metrics;
import io.soilci.server.http.Query;
import io.soilci.server.http.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Instant;

/**
 * {@code POST /results?jobName=J&workerHost=github|sourcehut&runId=R}: multipart parts {@code wwz},
 * {@code tsv} and {@code json}. Answers 200 once all three are durable and the pages are updated.
 */
public final class ResultsHandler implements HttpHandler {
  private final ResultStore store;
  private final MultipartReader reader;
  private final Authenticator auth;
  private final UploadGate gate;
  private final SiteChanges changes;
  private final Metrics metrics;
  private final JobClaims claims;

  /** An upload of a job the {@code claims} keep from its worker is refused. */
  public ResultsHandler(
      ResultStore store,
      Limits limits,
      Authenticator auth,
      UploadGate gate,
      SiteChanges changes,
      Metrics metrics,
      JobClaims claims) {
    this.claims = claims;
    this.store = store;
    this.reader = new MultipartReader(limits);
    this.auth = auth;
    this.gate = gate;
    this.changes = changes;
    this.metrics = metrics;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    JobRef ref = new Query(exchange).jobRef();
    ErrorMapper.about(exchange, ref.toString());
    Worker worker =
        auth.authorizeJobs(
            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION), ref.host());
    reader.requireDeclaredSizeWithinLimit(exchange);
    StoredJob job;
    try (UploadGate.Pass pass = gate.enter(worker.name());
        Staging staging =
            worker.may(Scope.of(ref.host()))
                ? store.stage(ref, worker, claims)
                : store.stageNew(ref, worker, claims)) {
      long start = System.nanoTime();
      staging.requireWritable();
      reader.read(exchange, part -> staging.receive(JobFile.ofPart(part.field()), part.body()));
      staging.requireAll();
      Instant at = changes.beginUpload();
      job = changes.store(staging, at, metrics).orElseThrow();
      metrics.uploadAccepted(staging.bytes(), System.nanoTime() - start);
    }
    Responses.text(
        exchange, 200, "stored " + ref + " (" + Plural.count(job.rows().size(), "task") + ")");
  }
}
