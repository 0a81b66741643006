package io.soilci.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The access log of a real server on 127.0.0.1: one line for every request, written in batches. */
class AccessLogTest {
  private final Writes writes = new Writes();
  private final HttpClient client = HttpClient.newHttpClient();
  private @Nullable AccessLog log;
  private @Nullable Undertow server;

  /** Each write the log made, as text. */
  private static final class Writes extends OutputStream {
    private final List<String> chunks = new ArrayList<>();

    @Override
    public synchronized void write(int b) {
      chunks.add(String.valueOf((char) b));
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
      chunks.add(new String(bytes, off, len, StandardCharsets.UTF_8));
    }

    synchronized List<String> chunks() {
      return List.copyOf(chunks);
    }

    /** Waits (at most 30 s) until the writes so far satisfy {@code condition}. */
    List<String> await(Predicate<List<String>> condition) throws InterruptedException {
      return await(condition, 30_000);
    }

    /** The writes once they satisfy {@code condition}, or as they are after {@code millis}. */
    List<String> await(Predicate<List<String>> condition, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      List<String> now = chunks();
      while (!condition.test(now) && System.nanoTime() < deadline) {
        Thread.sleep(10);
        now = chunks();
      }
      return now;
    }
  }

  /** A server whose every request is answered "ok", behind the log; its port. */
  private int start(AccessLog accessLog) {
    log = accessLog;
    Undertow started =
        Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(accessLog).build();
    server = started;
    started.start();
    return ((InetSocketAddress) started.getListenerInfo().get(0).getAddress()).getPort();
  }

  private AccessLog accessLog(long pauseMillis) {
    return new AccessLog(
        exchange -> Responses.text(exchange, 200, "ok"),
        new Metrics(),
        new PrintStream(writes, false, StandardCharsets.UTF_8),
        pauseMillis);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
      server = null;
    }
    if (log != null) {
      log.close();
      log = null;
    }
  }

  private int get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static long count(List<String> chunks, String text) {
    return String.join("", chunks).lines().filter(l -> l.contains(text)).count();
  }

  @Test
  void aLoneRequestIsLoggedAtOnceAndTheLinesThatComeWhileTheWriterPausesGoOutInOneWrite()
      throws Exception {
    int port = start(accessLog(3_600_000));

    get(port, "/first");
    List<String> first = writes.await(c -> count(c, "GET /first ") == 1);
    for (int i = 0; i < 20; i++) {
      get(port, "/next/" + i);
    }
    // A writer woken for every line would have written some of them within 2 s.
    List<String> paused = writes.await(c -> c.size() > 1, 2_000);
    stop();
    List<String> all = writes.chunks();

    assertThat(first).hasSize(1);
    assertThat(first.get(0))
        .matches("\\[access-log\\] INFO access - 127\\.0\\.0\\.1 GET /first 200 3 \\d+ms \".*\"\n");
    // No request woke the writer in its pause: no write for any of them yet.
    assertThat(paused).isEqualTo(first);
    assertThat(all).hasSize(2);
    List<String> batch = all.get(1).lines().toList();
    assertThat(batch).hasSize(20);
    for (int i = 0; i < 20; i++) {
      assertThat(batch.get(i)).contains(" GET /next/" + i + " 200 3 ");
    }
  }

  @Test
  void everyRequestOfManyClientsIsLoggedOnceInWholeLines() throws Exception {
    int port = start(accessLog(10));
    int clients = 8;
    int each = 100;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    assertThat(get(port, "/c" + client + "/r" + i)).isEqualTo(200);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    int requests = clients * each;
    List<String> chunks = writes.await(c -> count(c, " GET /c") == requests);

    for (String chunk : chunks) {
      assertThat(chunk).endsWith("\n");
    }
    List<String> lines = String.join("", chunks).lines().toList();
    assertThat(lines).hasSize(requests);
    for (int c = 0; c < clients; c++) {
      for (int i = 0; i < each; i++) {
        String path = " GET /c" + c + "/r" + i + " 200 ";
        assertThat(lines.stream().filter(l -> l.contains(path))).hasSize(1);
      }
    }
    assertThat(lines).allMatch(l -> l.startsWith("[access-log] INFO access - 127.0.0.1 GET /c"));
  }
}
