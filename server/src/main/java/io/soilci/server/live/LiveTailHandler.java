package io.soilci.server.live;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.Gzip;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.logview.LiveLogView;
import io.soilci.server.logview.LogTask;
import io.soilci.server.logview.LogView;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code GET /live/HOST-jobs/RUN/JOB/TASK.txt[?offset=N]}: the running task's kept log from byte
 * {@code N} as plain text; with {@code ?view}, its log view, following the task with JS (never
 * sniffed, never cached); {@code X-Soil-Log-Start} and {@code X-Soil-Log-End} say which bytes these
 * are, so a script asks for {@code offset=END} next. No live log: 404, or 204 when {@code offset}
 * was given (a script polls before the first chunk arrives).
 */
public final class LiveTailHandler implements HttpHandler {
  public static final String PREFIX = "/live/";
  private static final HttpString START = new HttpString("X-Soil-Log-Start");
  private static final HttpString END = new HttpString("X-Soil-Log-End");

  private final LiveLogs logs;

  public LiveTailHandler(LiveLogs logs) {
    this.logs = logs;
  }

  public static boolean matches(String path) {
    return path.startsWith(PREFIX);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String[] parts = parts(exchange.getRelativePath());
    JobRef ref =
        new JobRef(WorkerHost.fromPrefix(parts[0]), new RunId(parts[1]), new JobName(parts[2]));
    TaskName task = new TaskName(parts[3].substring(0, parts[3].length() - ".txt".length()));
    Query query = new Query(exchange);
    if (query.optional("view").isPresent()) {
      sendView(exchange, ref, task);
      return;
    }
    Optional<LiveTail> found = logs.read(ref, task, offset(query));
    if (found.isEmpty() && query.optional("offset").isPresent()) {
      // A script following the log: nothing yet (or any more); the page update ends the polling.
      exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
      exchange.setStatusCode(204);
      return;
    }
    send(exchange, found.orElseThrow(() -> notRunning(ref, task)));
  }

  /**
   * The log view of the task's kept whole lines, which follows the task with JS; empty (and
   * following) when no line arrived yet.
   */
  private void sendView(HttpServerExchange exchange, JobRef ref, TaskName task) {
    TaskKey key = new TaskKey(ref, task);
    OptionalInt ended = logs.endedStatus(key);
    LiveLines lines =
        logs.lines(key, 0, ended.isPresent()).orElse(new LiveLines(0, 0, 1, new byte[0]));
    LogTask view =
        new LogTask(
            ref.host().prefix(),
            ref.run().value(),
            ref.job().value(),
            task.value(),
            Optional.empty(),
            Optional.empty());
    String html =
        LiveLogView.render(
            view, lines.firstLine(), lines.bytes(), lines.end(), ended, "../../../../");
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    headers.put(new HttpString("X-Content-Type-Options"), "nosniff");
    headers.put(new HttpString("Content-Security-Policy"), LogView.POLICY);
    headers.put(Headers.CACHE_CONTROL, "no-store");
    headers.put(Headers.VARY, Gzip.VARY);
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    if (Gzip.accepted(exchange)) {
      bytes = Gzip.compress(bytes);
      headers.put(Headers.CONTENT_ENCODING, "gzip");
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  /** HOST-jobs, RUN, JOB and TASK.txt from {@code /live/HOST-jobs/RUN/JOB/TASK.txt}. */
  private static String[] parts(String path) {
    String[] parts = path.substring(PREFIX.length()).split("/", -1);
    if (parts.length != 4 || !parts[3].endsWith(".txt")) {
      throw new BadInput(
          "live log path '"
              + Printable.of(path)
              + "' must be /live/HOST-jobs/RUN/JOB/TASK.txt, e.g. /live/github-jobs/4101/cpp/build.txt");
    }
    return parts;
  }

  private static HttpError notRunning(JobRef ref, TaskName task) {
    return HttpError.notFound(
        "no live log of task '"
            + task
            + "' of "
            + ref
            + ": the task is not running (a finished task's log is in "
            + JobFile.WWZ.fileName(ref.job())
            + ")");
  }

  private static void send(HttpServerExchange exchange, LiveTail tail) {
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    headers.put(new HttpString("X-Content-Type-Options"), "nosniff");
    headers.put(Headers.CACHE_CONTROL, "no-store");
    headers.put(START, Long.toString(tail.start()));
    headers.put(END, Long.toString(tail.end()));
    exchange.getResponseSender().send(ByteBuffer.wrap(tail.bytes()));
  }

  private static long offset(Query query) {
    String value = query.optional("offset").orElse("0");
    if (!value.matches("[0-9]{1,15}")) {
      throw new BadInput(
          "offset '" + Printable.of(value) + "' must be a byte offset: 0 or a positive integer");
    }
    return Long.parseLong(value);
  }
}
