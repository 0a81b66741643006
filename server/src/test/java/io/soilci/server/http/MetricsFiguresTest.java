package io.soilci.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a real server after real uploads, events and live log chunks. */
class MetricsFiguresTest {
  private static final Pattern SAMPLE =
      Pattern.compile("(soil_[a-z_]+)(\\{[^}]*\\})? (-?[0-9.E+-]+)");
  private static final Path DASHBOARD = Path.of("../deploy/grafana/soil-dashboard.json");

  @TempDir Path dir;

  @Test
  void reportsJobsUploadsEventsLiveLogsAndTheJvm() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withJobLease(Duration.ofSeconds(5)))) {
      upload(server, "1", "cpp-small");
      upload(server, "1", "dev-minimal");
      upload(server, "2", "dev-minimal");
      event(server, "eventName=start&workerHost=github&runId=3&jobName=silent");
      event(server, "eventName=start&workerHost=github&runId=3&jobName=stopped");
      event(
          server,
          "eventName=done&status=143&cancelled=SIGTERM&workerHost=github&runId=3&jobName=stopped");
      awaitLost(server);
      event(server, "eventName=start&workerHost=github&runId=4&jobName=busy");
      server.post(
          "/event?eventName=start&workerHost=sourcehut&runId=5&jobName=busy", server.sourcehut);
      log(server, "hello");
      log(server, "world!");
      event(server, "eventName=bogus&workerHost=github&runId=4&jobName=busy");
      server.post("/results?workerHost=github&runId=6&jobName=x", "Bearer gh:wrong");
      server.post(
          "/results?workerHost=github&runId=6&jobName=x",
          server.github,
          new Multipart().file("tsv", "x.tsv", "not a row\n".getBytes(StandardCharsets.UTF_8)));

      Map<String, Double> m = samples(server.get("/metrics").body());

      assertThat(m)
          .containsEntry("soil_jobs{host=\"github\",state=\"passed\"}", 2.0)
          .containsEntry("soil_jobs{host=\"github\",state=\"failed\"}", 1.0)
          .containsEntry("soil_jobs{host=\"github\",state=\"running\"}", 1.0)
          .containsEntry("soil_jobs{host=\"github\",state=\"lost\"}", 1.0)
          .containsEntry("soil_jobs{host=\"github\",state=\"cancelled\"}", 1.0)
          .containsEntry("soil_jobs{host=\"sourcehut\",state=\"running\"}", 1.0)
          .containsEntry("soil_jobs{host=\"sourcehut\",state=\"passed\"}", 0.0)
          .containsEntry("soil_uploads_accepted_total", 3.0)
          .containsEntry("soil_upload_duration_seconds_count", 3.0)
          .containsEntry("soil_upload_duration_seconds_bucket{le=\"+Inf\"}", 3.0)
          .containsEntry("soil_uploads_refused_total{reason=\"unauthenticated\"}", 1.0)
          .containsEntry("soil_uploads_refused_total{reason=\"bad_input\"}", 1.0)
          .containsEntry("soil_uploads_in_flight", 0.0)
          .containsEntry("soil_http_requests_queued", 0.0)
          .containsEntry("soil_http_worker_threads_max", 16.0)
          .containsEntry("soil_events_accepted_total{event=\"start\"}", 4.0)
          .containsEntry("soil_events_accepted_total{event=\"done\"}", 1.0)
          .containsEntry("soil_events_refused_total{reason=\"bad_input\"}", 1.0)
          .containsEntry("soil_live_log_appends_total", 2.0)
          .containsEntry("soil_live_log_bytes_total", 11.0)
          .containsEntry("soil_http_requests_total{route=\"/results\",status=\"200\"}", 3.0)
          .containsKey("soil_build_info{version=\"" + io.soilci.cli.SoilVersion.get() + "\"}");
      assertThat(m.get("soil_uploaded_bytes_total")).isGreaterThan(1000.0);
      assertThat(m.get("soil_upload_duration_seconds_sum")).isGreaterThan(0.0);
      assertThat(m.get("soil_jvm_memory_used_bytes{area=\"heap\"}")).isGreaterThan(0.0);
      assertThat(m.get("soil_jvm_memory_committed_bytes{area=\"nonheap\"}")).isGreaterThan(0.0);
      assertThat(m.get("soil_jvm_memory_max_bytes{area=\"heap\"}")).isGreaterThan(0.0);
      assertThat(m.keySet()).anyMatch(k -> k.startsWith("soil_jvm_gc_collections_total{gc=\""));
      assertThat(m.keySet())
          .anyMatch(k -> k.startsWith("soil_jvm_gc_collection_seconds_total{gc=\""));
      assertThat(m.get("soil_jvm_threads")).isGreaterThan(m.get("soil_jvm_threads_daemon"));
      assertThat(m.get("soil_uptime_seconds")).isGreaterThan(0.0);
    }
  }

  @Test
  void theDashboardUsesOnlyMetricsTheServerExports() throws Exception {
    Set<String> exported;
    try (TestServer server = TestServer.start(dir)) {
      upload(server, "1", "dev-minimal");
      exported = exportedNames(server.get("/metrics").body());
    }
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

    Set<String> used = new TreeSet<>();
    int expressions = 0;
    for (JsonNode expr : dashboard.findValues("expr")) {
      expressions++;
      Matcher names = Pattern.compile("\\b[a-z_]+(?=\\{|\\[| |\\)|$)").matcher(expr.asText());
      while (names.find()) {
        if (names.group().startsWith("soil_")) {
          used.add(names.group());
        }
      }
      assertThat(expr.asText()).contains("soil_");
    }

    assertThat(expressions).isGreaterThanOrEqualTo(8);
    assertThat(used).isNotEmpty();
    assertThat(exported).containsAll(used);
    assertThat(used)
        .contains(
            "soil_jobs",
            "soil_upload_duration_seconds_bucket",
            "soil_uploads_in_flight",
            "soil_http_requests_queued",
            "soil_http_requests_total",
            "soil_jvm_memory_used_bytes",
            "soil_jvm_gc_collection_seconds_total");
  }

  private static void upload(TestServer server, String run, String job) {
    assertThat(
            server
                .post(
                    "/results?workerHost=github&runId=" + run + "&jobName=" + job,
                    server.github,
                    TestServer.fixtureJob("github-jobs/4101", job))
                .statusCode())
        .isEqualTo(200);
  }

  private static void event(TestServer server, String query) {
    server.post("/event?" + query, server.github);
  }

  private static void log(TestServer server, String text) {
    server.send(
        HttpRequest.newBuilder(server.uri("/log?workerHost=github&runId=4&jobName=busy&task=unit"))
            .header("Authorization", server.github)
            .POST(HttpRequest.BodyPublishers.ofString(text))
            .build());
  }

  private static void awaitLost(TestServer server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!server.get("/github-jobs/3/").body().contains("lost: no word")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** The names an expression may use: each family's, and a histogram's or summary's series. */
  private static Set<String> exportedNames(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      String[] type = line.split(" ");
      if (line.startsWith("# TYPE ")) {
        names.add(type[2]);
        if (type[3].equals("histogram")) {
          names.add(type[2] + "_bucket");
        }
        if (type[3].equals("histogram") || type[3].equals("summary")) {
          names.addAll(Set.of(type[2] + "_sum", type[2] + "_count"));
        }
      }
    }
    return names;
  }

  /** Every sample, {@code name{labels}} to value; each family declared before its samples. */
  private static Map<String, Double> samples(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    Set<String> declared = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        declared.add(line.split(" ")[2]);
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertThat(sample.matches()).as(line).isTrue();
      String family = sample.group(1).replaceAll("_(bucket|sum|count)$", "");
      assertThat(declared).as(line).containsAnyOf(family, sample.group(1));
      String labels = sample.group(2) == null ? "" : sample.group(2);
      out.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
    }
    return out;
  }
}
