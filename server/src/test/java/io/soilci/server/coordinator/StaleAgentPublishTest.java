package io.soilci.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.http.HttpError;
import io.soilci.server.state.StateLayout;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose lease ran out may not publish the job any more: its upload, events and live log
 * are refused with 409 naming the job, so they cannot overwrite the attempt that replaced it.
 */
class StaleAgentPublishTest {
  @TempDir Path dir;

  private static Submission submission(String name) throws Exception {
    return Submission.parse(
        QueueLog.JSON.readTree(
            "{\"commit\":\""
                + "a".repeat(40)
                + "\",\"repository\":\"/repo\",\"jobs\":[{\"name\":\""
                + name
                + "\",\"tasks\":\"t ./t.sh x -\\n\"}]}"),
        1000);
  }

  private static long take(Coordinator c, String agent) {
    AtomicReference<Optional<ObjectNode>> got = new AtomicReference<>();
    c.poll(agent, Set.of(), 1, Duration.ofSeconds(30), "-", () -> true, got::set);
    return java.util.Objects.requireNonNull(got.get(), "a job for " + agent)
        .orElseThrow()
        .path("id")
        .asLong();
  }

  private static ThrowableAssert.ThrowingCallable writes(Coordinator c, String who, JobRef ref) {
    return () -> c.check(who, ref);
  }

  @Test
  void onlyTheAgentHoldingTheLeaseMayWriteTheJob() throws Exception {
    HandClock clock = new HandClock();
    JobRef unit = new JobRef(WorkerHost.GITHUB, new RunId("soil-1"), new JobName("unit"));
    JobRef other = new JobRef(WorkerHost.GITHUB, new RunId("4101"), new JobName("unit"));
    try (Hooks hooks = new Hooks(HookSettings.NONE);
        Coordinator c =
            Coordinator.open(
                new StateLayout(dir), CoordinatorSettings.DEFAULTS, clock, hooks, (j, f) -> {})) {
      c.submit(submission("unit"), "ci");
      assertThatThrownBy(writes(c, "a", unit))
          .isInstanceOf(HttpError.class)
          .hasMessage(
              "github-jobs/soil-1/unit is coordinator job 1, queued; only the agent holding its"
                  + " lease may publish it, and 'a' does not; its results and events for"
                  + " github-jobs/soil-1/unit are refused");
      long id = take(c, "a");
      c.check("a", unit);
      c.check("anyone", other);
      assertThatThrownBy(writes(c, "b", unit))
          .hasMessageContaining("held by agent 'a' (attempt 1)");

      clock.millis.addAndGet(61_000);
      assertThatThrownBy(writes(c, "a", unit))
          .hasMessageContaining("agent 'a' lost its lease on coordinator job 1");
      assertThatThrownBy(() -> c.heartbeat("a", id)).hasMessageContaining("lost its lease");
      assertThat(take(c, "b")).isEqualTo(id);

      c.check("b", unit);
      assertThatThrownBy(writes(c, "a", unit))
          .hasMessage(
              "agent 'a' lost its lease on coordinator job 1 (github-jobs/soil-1/unit): no"
                  + " heartbeat within 60 s, and the job was given to agent 'b' (attempt 2); its"
                  + " results and events for github-jobs/soil-1/unit are refused");
      c.outcome("b", id, Outcome.PASSED, 0, "");
      assertThatThrownBy(writes(c, "b", unit)).hasMessageContaining("already ended as passed");
    }
  }

  @Test
  void theUploadAndEventsOfAnAgentThatLostItsLeaseAreRefusedAndStoreNothing() throws Exception {
    try (TestServer server =
        TestServer.start(
            dir,
            config ->
                config.withCoordinator(
                    new CoordinatorSettings(100, 100, Duration.ofSeconds(1), 3, 100)))) {
      WorkerStore workers = new WorkerStore(new StateLayout(server.state), 1000);
      String submitter = "Bearer ci:" + workers.add(new Worker("ci", Set.of(Scope.SUBMIT)), false);
      String a =
          "Bearer a:" + workers.add(new Worker("a", Set.of(Scope.AGENT, Scope.GITHUB_JOBS)), false);
      HttpResponse<String> submitted =
          server.send(
              HttpRequest.newBuilder(server.uri("/coordinator/submit"))
                  .header("Authorization", submitter)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"commit\":\""
                              + "a".repeat(40)
                              + "\",\"repository\":\"/repo\",\"runId\":\"77\",\"jobs\":"
                              + "[{\"name\":\"cpp-small\",\"tasks\":\"t ./t.sh x -\\n\"}]}"))
                  .build());
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
      HttpResponse<String> polled = server.post("/coordinator/poll?wait=5", a);
      assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
      long id = QueueLog.JSON.readTree(polled.body()).path("id").asLong();

      // No heartbeat: the lease of 1 s runs out and the job is queued again.
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      JsonNode job;
      do {
        Thread.sleep(100);
        job = QueueLog.JSON.readTree(server.get("/coordinator/jobs/" + id + ".json").body());
      } while (!job.path("state").asText().equals("queued") && System.nanoTime() < end);
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("queued");

      HttpResponse<String> upload =
          server.post(
              "/results?workerHost=github&runId=77&jobName=cpp-small",
              a,
              TestServer.fixtureJob("github-jobs/4101", "cpp-small"));
      HttpResponse<String> event =
          server.post("/event?eventName=start&workerHost=github&runId=77&jobName=cpp-small", a);

      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(409);
      assertThat(upload.body())
          .contains(
              "agent 'a' lost its lease on coordinator job "
                  + id
                  + " (github-jobs/77/cpp-small): no heartbeat within 1 s, and the job was queued"
                  + " again; its results and events for github-jobs/77/cpp-small are refused");
      assertThat(event.statusCode()).as(event.body()).isEqualTo(409);
      assertThat(event.body()).contains("agent 'a' lost its lease on coordinator job " + id);
      assertThat(server.site.resolve("github-jobs/77/cpp-small.json")).doesNotExist();
      assertThat(Files.exists(server.site.resolve("github-jobs/77/cpp-small.wwz"))).isFalse();
    }
  }
}
