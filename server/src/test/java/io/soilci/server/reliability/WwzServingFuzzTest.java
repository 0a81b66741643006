package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzed paths into a served wwz (and the site beside it): never a 5xx, and never a byte of the
 * files outside the site (a secret beside it, the workers' token hashes).
 */
class WwzServingFuzzTest {
  private static final String SECRET = "TOP-SECRET-do-not-serve";
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
        Path dir = Files.createTempDirectory("soil-fuzz-wwz");
        Files.writeString(dir.resolve("secret.txt"), SECRET);
        running = TestServer.withFixtures(dir);
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
  void servesOnlyWhatIsInsideTheZipOrTheSite(byte[] path) throws IOException {
    TestServer s = server();
    Target target = new Target(s.port(), s.github, s.sourcehut, s.statusOnly);
    String raw = raw(path);

    Wire.Answer answer = target.get("/github-jobs/4101/cpp-small.wwz/" + raw);

    assertThat(answer.status()).as("GET %s: %s", raw, answer).isNotIn(500, 501, 502, 503, -1);
    assertThat(answer.body()).doesNotContain(SECRET).doesNotContain("\"salt\"");
  }

  /** The fuzzed bytes as a request target: '/' and '.' kept, the rest percent-encoded. */
  private static String raw(byte[] path) {
    StringBuilder out = new StringBuilder();
    for (byte b : path) {
      char c = (char) (b & 0xff);
      if ((Character.isLetterOrDigit(c) && c < 0x7f) || "/.-_~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return new String(
        out.toString().getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
  }
}
