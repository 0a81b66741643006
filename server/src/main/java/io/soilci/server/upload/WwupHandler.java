package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.http.ErrorMapper;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code POST /wwup} and {@code /uuu/wwup.cgi}: Soil's own uploader form, so Soil's unmodified
 * shell client can publish here (credentials in the URL: {@code https://NAME:SECRET@host/…}).
 * {@code GET} shows the usage, as the original does.
 */
public final class WwupHandler implements HttpHandler {
  private static final String USAGE =
      "wwup.cgi - HTTP uploader\n\n"
          + "    curl --form 'payload-type=github-jobs' --form 'subdir=1234' \\\n"
          + "      --form 'file1=@JOB.wwz' --form 'file2=@JOB.tsv' --form 'file3=@JOB.json' $URL\n"
          + "    curl --form 'payload-type=status-api' --form 'subdir=github/RUN_ID' \\\n"
          + "      --form 'file1=@JOB.status.txt' $URL\n"
          + "    curl --form 'run-hook=soil-event-job-done' --form 'arg1=github-' \\\n"
          + "      --form 'arg2=RUN' $URL";

  private final UploadContext uploads;
  private final MultipartReader reader;

  /** An upload of a job the context's {@code claims} keep from its worker is refused. */
  public WwupHandler(UploadContext uploads) {
    this.uploads = uploads;
    this.reader = new MultipartReader(uploads.limits());
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.getRequestMethod().equals(Methods.GET)) {
      Responses.text(exchange, 200, USAGE);
      return;
    }
    Worker worker =
        uploads.auth().authenticate(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
    reader.requireDeclaredSizeWithinLimit(exchange);
    String answer;
    try (UploadGate.Pass pass = uploads.gate().enter(worker.name());
        WwupForm form = new WwupForm(worker, uploads.store(), uploads.claims())) {
      long start = System.nanoTime();
      reader.read(exchange, form::accept);
      answer = form.hook().isPresent() ? runHook(form, worker) : upload(exchange, form, start);
    }
    Responses.text(exchange, 200, answer);
  }

  private String upload(HttpServerExchange exchange, WwupForm form, long start) throws IOException {
    Scope payload = form.payload();
    String subdir = form.field("subdir").orElseThrow();
    ErrorMapper.about(exchange, payload.folder() + "/" + subdir);
    long bytes = 0;
    if (payload == Scope.STATUS_API) {
      form.storeStatusFiles(uploads.changes());
    } else {
      Staging staging = form.staging().orElseThrow();
      bytes = staging.bytes();
      Instant at = uploads.changes().beginUpload();
      var unused = uploads.changes().store(staging, at, uploads.metrics());
    }
    uploads.metrics().uploadAccepted(bytes, System.nanoTime() - start);
    return "--- wwup.cgi Upload ---\n\npayload type = "
        + payload.folder()
        + "\nsubdir = '"
        + subdir
        + "'\nfiles = "
        + form.fileNames()
        + "\n\n--- wwup.cgi Done ---";
  }

  private String runHook(WwupForm form, Worker worker) throws IOException {
    String hook = form.hook().orElseThrow();
    if (hook.equals("soil-cleanup-status-api")) {
      return "--- wwup.cgi run-hook ---\nhook " + hook + ": the server's retention does this\n";
    }
    if (!hook.equals("soil-event-job-done")) {
      throw new BadInput(
          "run-hook '"
              + Printable.of(hook)
              + "' must be soil-event-job-done or soil-cleanup-status-api");
    }
    WorkerHost host = hostOfPrefix(form.field("arg1").orElse(""));
    if (!worker.may(Scope.of(host))) {
      throw HttpError.forbidden(
          "worker '" + worker.name() + "' may not write '" + host.prefix() + "'");
    }
    RunId run =
        new RunId(
            form.field("arg2")
                .orElseThrow(() -> new BadInput("form field 'arg2' (the run)" + " is required")));
    List<StoredJob> jobs = uploads.store().finishedJobs(host, run);
    uploads.metrics().timeSiteUpdate(() -> uploads.changes().runStored(host, run));
    return "--- wwup.cgi run-hook ---\nhook "
        + hook
        + "\nargv "
        + List.of(host.prefix(), run.value())
        + "\n\n--- STATUS: 0\n\nupdated "
        + jobs.size()
        + " jobs";
  }

  /** Soil passes {@code github-} (its prefix); {@code github} and {@code github-jobs} work too. */
  private static WorkerHost hostOfPrefix(String arg) {
    String id = arg.endsWith("-jobs") ? arg.substring(0, arg.length() - 5) : arg;
    id = id.endsWith("-") ? id.substring(0, id.length() - 1) : id;
    try {
      return WorkerHost.parse(id);
    } catch (BadInput e) {
      throw new BadInput(
          "arg1 '" + Printable.of(arg) + "' must be the prefix github- or sourcehut-", e);
    }
  }
}
