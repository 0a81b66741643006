package io.soilci.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients that declare a small body and trickle it, against a real server: one worker's token
 * may hold at most its share (a quarter) of the memory such bodies take, so another worker's live
 * log chunk still gets through; coordinator submits are read without a worker thread, so slow
 * submitters do not keep events from being answered.
 */
class SlowSmallBodiesTest {
  private static final Duration FAST = Duration.ofSeconds(2);

  @TempDir Path dir;

  private static Socket slowPost(TestServer server, String authorization, String target, int length)
      throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(5000);
    String head =
        "POST "
            + target
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + authorization
            + "\r\nContent-Length: "
            + length
            + "\r\n\r\nx";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  private static String answer(Socket s) throws IOException {
    byte[] buffer = new byte[1024];
    InputStream in = s.getInputStream();
    try {
      int n = in.read(buffer);
      return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      return "(no answer yet)";
    }
  }

  private static void closeAll(List<Socket> sockets) throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Test
  void oneWorkersSlowChunksTakeOnlyItsShareAndAnotherWorkersChunkGetsThrough() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      List<Socket> slow = new ArrayList<>();
      try {
        // 256 chunks of 64 KiB: the whole 16 MiB, were one worker allowed all of it.
        for (int i = 0; i < 256; i++) {
          slow.add(
              slowPost(
                  server,
                  server.github,
                  "/log?workerHost=github&runId=81&jobName=j&task=t" + i,
                  65536));
        }
        Thread.sleep(2000);

        HttpResponse<String> other =
            server.send(
                HttpRequest.newBuilder(
                        server.uri("/log?workerHost=sourcehut&runId=82&jobName=j&task=t"))
                    .header("Authorization", server.sourcehut)
                    .timeout(FAST)
                    .POST(HttpRequest.BodyPublishers.ofString("still served\n"))
                    .build());

        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        List<String> refused = new ArrayList<>();
        for (Socket s : slow) {
          // Refused ones were answered during the sleep; the 64 admitted wait for their bodies.
          s.setSoTimeout(50);
          String answer = answer(s);
          if (answer.startsWith("HTTP/1.1 503 ")) {
            refused.add(answer);
          }
        }
        assertThat(refused).hasSize(256 - 64);
        assertThat(refused.get(0))
            .endsWith(
                "worker 'gh' is sending 4194304 bytes of request bodies already, and this one"
                    + " would pass its share of 4194304 (a quarter of the 16777216 the server"
                    + " receives from slow clients at once); retry in 2 seconds\n");
      } finally {
        closeAll(slow);
      }
    }
  }

  @Test
  void slowSubmitBodiesHoldNoWorkerThread() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      String submitter =
          "Bearer ci:"
              + new WorkerStore(new StateLayout(server.state), 1000)
                  .add(new Worker("ci", Set.of(Scope.SUBMIT)), false);
      List<Socket> slow = new ArrayList<>();
      try {
        // More than the 16 worker threads, each submit declaring 1000 bytes and sending one.
        for (int i = 0; i < 24; i++) {
          slow.add(slowPost(server, submitter, "/coordinator/submit", 1000));
        }
        Thread.sleep(2000);

        long start = System.nanoTime();
        HttpResponse<String> event =
            server.send(
                HttpRequest.newBuilder(
                        server.uri("/event?eventName=start&workerHost=github&runId=83&jobName=j"))
                    .header("Authorization", server.github)
                    .timeout(FAST.multipliedBy(5))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(event.statusCode()).as(event.body()).isEqualTo(200);
        assertThat(millis).isLessThan(FAST.toMillis());
      } finally {
        closeAll(slow);
      }
    }
  }
}
