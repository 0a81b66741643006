package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.files.AtomicFiles;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A page replaced by rename while it is being read is served whole: old or new, never mixed; for
 * pages served from the cache of small files and for those sent from the file.
 */
class PagesAreNeverTornTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"1000, 50000", "300000, 600000"})
  void servesEitherTheOldOrTheNewPageWhileItIsReplaced(int smallSize, int largeSize)
      throws Exception {
    String small = "<html>" + "s".repeat(smallSize) + "</html>\n";
    String large = "<html>" + "L".repeat(largeSize) + "</html>\n";
    try (TestServer server = TestServer.start(dir)) {
      Path page = server.site.resolve("page.html");
      AtomicFiles.write(page, small.getBytes(StandardCharsets.UTF_8));
      AtomicBoolean done = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < 20_000 && !done.get(); i++) {
                  String next = i % 2 == 0 ? large : small;
                  try {
                    AtomicFiles.write(page, next.getBytes(StandardCharsets.UTF_8));
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              });
      writer.start();
      int mixed = 0;
      try {
        for (int i = 0; i < 1_500; i++) {
          try {
            HttpResponse<String> r = server.get("/page.html");
            if (!Set.of(small, large).contains(r.body())) {
              mixed++;
            }
          } catch (java.io.UncheckedIOException e) {
            // e.g. "fixed content-length: 50014, bytes received: 1014": old length, new bytes.
            mixed++;
          }
        }
      } finally {
        done.set(true);
        writer.join();
      }

      assertThat(mixed).as("answers that were neither the old nor the new page").isZero();
    }
  }
}
