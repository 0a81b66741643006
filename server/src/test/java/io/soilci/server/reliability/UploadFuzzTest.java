package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzed multipart uploads to {@code /results} and {@code /wwup} of a real server over the
 * fixtures: every answer is 200 or a 4xx with a message, never a 5xx, and no temp file stays.
 */
class UploadFuzzTest {
  private static final Set<Integer> ALLOWED = Set.of(200, 400, 403, 413);
  private static final String[] FIELDS = {"wwz", "tsv", "json", "payload-type", "subdir", "file1"};
  private static @Nullable TestServer server;

  @SuppressWarnings("UnusedVariable") // held, never closed: the rule is for the whole JVM
  private static @Nullable SilentCloseable loopbackOnly;

  private static synchronized TestServer server() {
    TestServer running = server;
    if (running == null) {
      // Jazzer's SSRF detector flags every connect: the server (XNIO) and this test connect to
      // loopback only, anything else stays a finding. Kept open for the whole JVM.
      loopbackOnly =
          BugDetectors.allowNetworkConnections(
              (host, port) -> Set.of("127.0.0.1", "localhost", "::1").contains(host));
      try {
        running = TestServer.withFixtures(Files.createTempDirectory("soil-fuzz-upload"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server = running;
    }
    return running;
  }

  @AfterAll
  static void stop() {
    TestServer running = server;
    if (running != null) {
      running.close();
    }
  }

  @FuzzTest
  void answersEveryUploadWithA4xxOrStoresIt(FuzzedDataProvider data) throws IOException {
    TestServer s = server();
    Target target = new Target(s.port(), s.github, s.sourcehut, s.statusOnly);
    String route =
        data.consumeBoolean()
            ? "/results?workerHost=github&runId=" + data.consumeString(8) + "&jobName=fz"
            : "/wwup";
    Form form = new Form();
    for (int parts = data.consumeInt(0, 4); parts > 0; parts--) {
      String field = data.consumeBoolean() ? data.pickValue(FIELDS) : data.consumeString(12);
      if (data.consumeBoolean()) {
        form.field(field.replace("\"", ""), data.consumeString(64));
      } else {
        form.file(field.replace("\"", ""), data.consumeBytes(40), data.consumeBytes(4096));
      }
    }
    byte[] body = data.consumeBoolean() ? form.bytes() : data.consumeRemainingAsBytes();

    Wire.Answer answer = target.post(encode(route), s.github, Form.TYPE, body);

    assertThat(answer.status()).as("%s", answer).isIn(ALLOWED);
    assertThat(answer.body()).endsWith("\n");
    assertThat(SiteChecks.tempFiles(s.site)).isEmpty();
  }

  /** Keeps the request line valid: anything but URL-safe characters percent-encoded. */
  private static String encode(String route) {
    StringBuilder out = new StringBuilder();
    for (byte b : route.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c > 0x20 && c < 0x7f && "\"<>\\^`{|}#%".indexOf(c) < 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
