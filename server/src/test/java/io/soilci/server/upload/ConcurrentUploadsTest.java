package io.soilci.server.upload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentUploadsTest {
  private static final String JOB = "/results?workerHost=github&runId=7001&jobName=cpp-small";

  @TempDir Path dir;

  /** One version of the job: its three files all say {@code tag}. */
  private static Multipart version(String tag) {
    String json =
        new String(SiteTrees.fixture("github-jobs/4101/cpp-small.json"), UTF_8)
            .replace("\"commit-line\": \"", "\"commit-line\": \"" + tag + " ");
    return new Multipart()
        .file("wwz", "cpp-small.wwz", Zips.of(Map.of("tag.txt", tag)))
        .file("tsv", "cpp-small.tsv", ("0\t1.0\t" + tag + "\ta.sh\tf\t-\n").getBytes(UTF_8))
        .file("json", "cpp-small.json", json.getBytes(UTF_8));
  }

  @Test
  void twoUploadsOfOneJobNeverMixTheirFiles() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      for (int round = 0; round < 5; round++) {
        List<CompletableFuture<Integer>> uploads =
            List.of("a", "b", "c").stream()
                .map(
                    tag ->
                        CompletableFuture.supplyAsync(
                            () -> server.post(JOB, server.github, version(tag)).statusCode()))
                .toList();

        for (CompletableFuture<Integer> upload : uploads) {
          assertThat(upload.get()).isEqualTo(200);
        }
        Path run = server.site.resolve("github-jobs/7001");
        String tsvTag = Files.readString(run.resolve("cpp-small.tsv")).split("\t")[2];
        assertThat(Files.readString(run.resolve("cpp-small.json")))
            .contains("\"commit-line\": \"" + tsvTag + " ");
        assertThat(server.get("/github-jobs/7001/cpp-small.wwz/tag.txt").body()).isEqualTo(tsvTag);
      }
    }
  }
}
