package io.soilci.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Limits;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the hostile-input table against one real server on 127.0.0.1 whose site holds real
 * published jobs: the exact status and message, the server still up, the site byte-identical.
 */
class HostileInputIT {
  /** 16 MiB bodies, 16 parts, 16 KiB headers, 1000 zip entries, ratio 200, 1 MiB drained. */
  static final Limits LIMITS =
      new Limits(16L << 20, 16, 16 * 1024, 1000, 4L << 30, 200, 8, 1L << 20);

  @TempDir static Path dir;
  private static TestServer server;
  private static Target target;
  private static String rotating = "";

  @BeforeAll
  static void startAndPublishRealJobs() throws IOException {
    server = TestServer.withFixtures(dir, c -> c.withLimits(LIMITS));
    target = new Target(server.port(), server.github, server.sourcehut, server.statusOnly);
    for (String job : List.of("4101/cpp-small", "4101/dev-minimal", "4102/dev-minimal")) {
      String[] runAndJob = job.split("/");
      var answer =
          server.post(
              "/results?workerHost=github&runId=" + runAndJob[0] + "&jobName=" + runAndJob[1],
              server.github,
              TestServer.fixtureJob("github-jobs/" + runAndJob[0], runAndJob[1]));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
    rotating = token("rotating", false);
  }

  private static String token(String name, boolean replace) throws IOException {
    String secret =
        new WorkerStore(new StateLayout(server.state), 1000)
            .add(new Worker(name, Set.of(Scope.GITHUB_JOBS)), replace);
    return "Bearer " + name + ":" + secret;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<HostileRow> rows() {
    List<HostileRow> rows = new ArrayList<>();
    rows.addAll(HostileNames.queryParameters());
    rows.addAll(HostileNames.formNames());
    rows.addAll(HostileAccess.credentials());
    rows.add(revokedTokenReplayed());
    rows.addAll(HostileAccess.reads());
    rows.addAll(HostileBodies.zips());
    rows.addAll(HostileBodies.jsonAndTsv());
    rows.addAll(HostileBodies.multipart());
    return rows;
  }

  /** A token that worked a moment ago, replayed after {@code add-worker --replace} revoked it. */
  private static HostileRow revokedTokenReplayed() {
    return HostileRow.row(
        "revoked token replayed",
        t -> {
          String old = rotating;
          var used =
              t.event(
                  "eventName=done&workerHost=github&runId=4101&jobName=cpp-small&status=x", old);
          assertThat(used.body()).isEqualTo("status 'x' must be an integer from 0 to 255\n");
          rotating = token("rotating", true);
          return t.upload(Target.JOB, old, HostileNames.job());
        },
        401,
        "worker token not recognized");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void answersExactlyStaysUpAndChangesNoByteOfTheSite(HostileRow row) throws IOException {
    String before = SiteTrees.checksum(server.site);

    Wire.Answer answer = row.send().to(target);

    assertThat(answer.status()).as("status of %s", answer).isEqualTo(row.status());
    assertThat(answer.body()).as("message").isEqualTo(row.message());
    assertThat(target.get("/healthz").body()).isEqualTo("ok\n");
    assertThat(SiteTrees.checksum(server.site)).as("site checksum").isEqualTo(before);
  }

  @Test
  void triesAtLeastSixtyHostileRequests() {
    assertThat(rows()).hasSizeGreaterThanOrEqualTo(60);
  }
}
