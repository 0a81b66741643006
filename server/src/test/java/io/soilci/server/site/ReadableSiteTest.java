package io.soilci.server.site;

import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The site is static files that nginx (its workers running as another user) serves or that are
 * copied to a CDN: every file the server writes there (pages, a job's files, status files) is
 * readable by everyone, as Soil's are; the worker tokens stay readable by their owner only.
 */
class ReadableSiteTest {
  @TempDir Path dir;

  @Test
  void everyFileOfAnUploadAndOfItsPagesIsReadableByEveryoneAndTheTokensByTheOwnerOnly()
      throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      HttpResponse<String> answer =
          server.post(
              "/results?workerHost=github&runId=4101&jobName=cpp-small",
              server.github,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      server.awaitPagesWritten();
      List<Path> files;
      try (Stream<Path> walk = Files.walk(server.site)) {
        files = walk.filter(Files::isRegularFile).toList();
      }
      assertThat(files)
          .extracting(file -> server.site.relativize(file).toString())
          .contains(
              "github-jobs/index.html",
              "github-jobs/4101/index.html",
              "github-jobs/4101/cpp-small.wwz",
              "github-jobs/4101/cpp-small.tsv",
              "github-jobs/4101/cpp-small.json");
      // What rw-r--r-- comes to under this process's umask (rw-r--r-- itself under 022).
      Set<PosixFilePermission> readable =
          Files.getPosixFilePermissions(
              Files.createFile(
                  dir.resolve("umask-probe"),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-r--r--"))));
      assertThat(readable).contains(OWNER_READ, OWNER_WRITE);
      for (Path file : files) {
        assertThat(Files.getPosixFilePermissions(file))
            .as("permissions of %s", server.site.relativize(file))
            .isEqualTo(readable);
      }
      assertThat(Files.getPosixFilePermissions(server.state.resolve("workers.json")))
          .isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
    }
  }
}
