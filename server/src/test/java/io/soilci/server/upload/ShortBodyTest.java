package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.RawHttp;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body whose multipart is complete but shorter than its {@code Content-Length} (the client sent
 * less than it declared, then closed its side): refused with 400 naming it, nothing stored.
 */
class ShortBodyTest {
  private static final int MISSING = 100;

  @TempDir Path dir;
  private TestServer server;
  private String before;

  @BeforeEach
  void start() throws IOException {
    server = TestServer.withFixtures(dir);
    before = SiteTrees.checksum(server.site);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String sendShort(String target, Multipart form) throws IOException {
    byte[] body = form.bytes();
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.postHeaders(target, server.github, form.contentType(), body.length + MISSING);
      raw.write(body).endBody();
      return raw.response();
    }
  }

  private static String cut(int got) {
    return "request body stopped after "
        + got
        + " of the "
        + (got + MISSING)
        + " bytes its Content-Length declared (the client closed it or went silent); nothing was"
        + " stored: send the whole body, with a Content-Length of its size\n";
  }

  @Test
  void refusesAnUploadShorterThanItsContentLengthAndStoresNothing() throws IOException {
    Multipart job = TestServer.fixtureJob("github-jobs/4101", "cpp-small");

    String answer = sendShort("/results?workerHost=github&runId=4999&jobName=cpp-small", job);

    assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith(cut(job.bytes().length));
    assertThat(server.site.resolve("github-jobs/4999")).doesNotExist();
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    assertThat(server.get("/github-jobs/4101/").statusCode()).isEqualTo(200);
  }

  @Test
  void refusesAStatusFileShorterThanItsContentLengthAndStoresNothing() throws IOException {
    Multipart status =
        new Multipart()
            .field("payload-type", "status-api")
            .field("subdir", "github/94999")
            .file("file1", "cpp-small.status.txt", "0 4101\n".getBytes(StandardCharsets.UTF_8));

    String answer = sendShort("/wwup", status);

    assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith(cut(status.bytes().length));
    assertThat(server.site.resolve("status-api/github/94999")).doesNotExist();
    assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
  }
}
