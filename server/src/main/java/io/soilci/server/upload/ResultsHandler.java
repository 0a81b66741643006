package io.soilci.server.upload;

import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.Plural;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.http.ErrorMapper;
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
  private final UploadContext uploads;
  private final MultipartReader reader;

  /** An upload of a job the context's {@code claims} keep from its worker is refused. */
  public ResultsHandler(UploadContext uploads) {
    this.uploads = uploads;
    this.reader = new MultipartReader(uploads.limits());
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    JobRef ref = new Query(exchange).jobRef();
    ErrorMapper.about(exchange, ref.toString());
    Worker worker =
        uploads
            .auth()
            .authorizeJobs(
                exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION), ref.host());
    reader.requireDeclaredSizeWithinLimit(exchange);
    StoredJob job;
    try (UploadGate.Pass pass = uploads.gate().enter(worker.name());
        Staging staging =
            worker.may(Scope.of(ref.host()))
                ? uploads.store().stage(ref, worker, uploads.claims())
                : uploads.store().stageNew(ref, worker, uploads.claims())) {
      long start = System.nanoTime();
      staging.requireWritable();
      reader.read(exchange, part -> staging.receive(JobFile.ofPart(part.field()), part.body()));
      staging.requireAll();
      Instant at = uploads.changes().beginUpload();
      job = uploads.changes().store(staging, at, uploads.metrics()).orElseThrow();
      uploads.metrics().uploadAccepted(staging.bytes(), System.nanoTime() - start);
    }
    Responses.text(
        exchange, 200, "stored " + ref + " (" + Plural.count(job.rows().size(), "task") + ")");
  }
}
