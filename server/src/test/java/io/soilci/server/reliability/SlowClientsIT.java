package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's slow-client attack, both kinds at once against a real server: N sockets that POST
 * {@code /results} without credentials declaring 1,000,000 bytes and trickle one byte every 2 s,
 * and N sockets that ask for a 12 MiB and a 7 MiB wwz entry with a tiny receive window and never
 * read. Meanwhile pages, wwz entries, events and uploads must keep answering fast. N is {@code
 * -Dsoil.slow.connections} (default 16 of each kind, the worker pool's size); the figures are
 * printed for docs/RELIABILITY.md.
 */
class SlowClientsIT {
  private static final int SLOW = Integer.getInteger("soil.slow.connections", 16);
  private static final Duration FAST = Duration.ofSeconds(2);

  @TempDir Path dir;

  @Test
  void slowUploadersAndReadersHoldNoThreadAndNormalTrafficStaysFast() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir)) {
      Path run = server.site.resolve("github-jobs/4101");
      Files.write(run.resolve("big.wwz"), Zips.zeros("big.txt", 12 << 20));
      Files.write(run.resolve("mid.wwz"), Zips.zeros("mid.txt", 7 << 20));
      List<Socket> uploaders = new ArrayList<>();
      List<Socket> readers = new ArrayList<>();
      AtomicBoolean trickling = new AtomicBoolean(true);
      try {
        for (int i = 0; i < SLOW; i++) {
          uploaders.add(slowUpload(server.port()));
          readers.add(slowRead(server.port(), i % 2 == 0 ? "big.wwz/big.txt" : "mid.wwz/mid.txt"));
        }
        Thread trickle = new Thread(() -> trickle(uploaders, trickling));
        trickle.start();
        Thread.sleep(3000);

        long[] millis = normalTraffic(server, 10);

        Arrays.sort(millis);
        System.out.printf(
            "slow connections held: %d uploaders (no credentials, 1 byte / 2 s) + %d readers"
                + " (7-12 MiB entries, never read); %d normal requests: median %d ms, max %d"
                + " ms%n",
            SLOW, SLOW, millis.length, millis[millis.length / 2], millis[millis.length - 1]);
        assertThat(millis[millis.length - 1]).isLessThan(FAST.toMillis());
        for (Socket s : uploaders) {
          // Refused before its body was read: 401, then closed (a reset if a trickled byte
          // arrived after the close), never left waiting for the rest of the body.
          assertThat(answer(s)).matches("(?s)HTTP/1\\.1 401 .*|\\(reset\\)|");
        }
      } finally {
        trickling.set(false);
        for (Socket s : uploaders) {
          s.close();
        }
        for (Socket s : readers) {
          s.close();
        }
      }
    }
  }

  @Test
  void aWorkersSlowLogChunksAndEventBodiesHoldNoThread() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir)) {
      List<Socket> slow = new ArrayList<>();
      AtomicBoolean trickling = new AtomicBoolean(true);
      try {
        // Authenticated, so past the credential gate: a worker on a slow link, or a broken one.
        for (int i = 0; i < SLOW; i++) {
          slow.add(
              slowWrite(
                  server,
                  "/log?workerHost=github&runId=8" + i + "&jobName=j&task=t",
                  "Content-Length: 60000"));
          slow.add(
              slowWrite(
                  server,
                  "/event?eventName=task-start&task=t&workerHost=github&runId=8" + i + "&jobName=j",
                  "Content-Length: 60000"));
        }
        Thread trickle = new Thread(() -> trickle(slow, trickling));
        trickle.start();
        Thread.sleep(3000);

        long[] millis = normalTraffic(server, 3);

        Arrays.sort(millis);
        assertThat(millis[millis.length - 1]).isLessThan(FAST.toMillis());
      } finally {
        trickling.set(false);
        for (Socket s : slow) {
          s.close();
        }
      }
    }
  }

  private static Socket slowWrite(TestServer server, String target, String header)
      throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(5000);
    String head =
        "POST "
            + target
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + server.github
            + "\r\n"
            + header
            + "\r\n\r\nx";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  /** A page, a wwz entry, an event and an upload, {@code rounds} times; each one's latency. */
  private static long[] normalTraffic(TestServer server, int rounds) {
    long[] millis = new long[rounds * 4];
    int i = 0;
    for (int r = 0; r < rounds; r++) {
      millis[i++] = timed(server, get(server, "/github-jobs/index.html"));
      millis[i++] =
          timed(server, get(server, "/github-jobs/4101/cpp-small.wwz/_tmp/soil/INDEX.tsv"));
      millis[i++] =
          timed(
              server,
              HttpRequest.newBuilder(
                      server.uri(
                          "/event?eventName=start&workerHost=github&runId=9" + r + "&jobName=j"))
                  .header("Authorization", server.github)
                  .timeout(FAST.multipliedBy(5))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build());
      var job = TestServer.fixtureJob("github-jobs/4101", "cpp-small");
      millis[i++] =
          timed(
              server,
              HttpRequest.newBuilder(
                      server.uri("/results?workerHost=github&runId=77" + r + "&jobName=cpp-small"))
                  .header("Authorization", server.github)
                  .header("Content-Type", job.contentType())
                  .timeout(FAST.multipliedBy(5))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(job.bytes()))
                  .build());
    }
    return millis;
  }

  private static HttpRequest get(TestServer server, String path) {
    return HttpRequest.newBuilder(server.uri(path)).timeout(FAST.multipliedBy(5)).build();
  }

  private static long timed(TestServer server, HttpRequest request) {
    long start = System.nanoTime();
    HttpResponse<String> response = server.send(request);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(response.statusCode()).as(request.uri() + ": " + response.body()).isEqualTo(200);
    return millis;
  }

  private static Socket slowUpload(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(5000);
    String head =
        "POST /results?workerHost=github&runId=4101&jobName=cpp-small HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            + "Content-Length: 1000000\r\n\r\n-";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  private static Socket slowRead(int port, String entry) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(1024);
    s.connect(new InetSocketAddress("127.0.0.1", port));
    String request = "GET /github-jobs/4101/" + entry + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  private static void trickle(List<Socket> sockets, AtomicBoolean on) {
    while (on.get()) {
      for (Socket s : sockets) {
        try {
          s.getOutputStream().write('x');
        } catch (IOException e) {
          // Refused and closed: as it should be.
        }
      }
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String answer(Socket s) throws IOException {
    byte[] buffer = new byte[256];
    InputStream in = s.getInputStream();
    try {
      int n = in.read(buffer);
      return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      return "(no answer in 5 s)";
    } catch (java.net.SocketException e) {
      return "(reset)";
    }
  }
}
