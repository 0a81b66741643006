package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.SiteLayout;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import io.soilci.server.testing.Multipart;
import io.soilci.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON a real server writes for its pages matches the schemas in docs/schema/. */
class JsonSchemaTest {
  private static final Path SCHEMAS = Path.of("../docs/schema");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void everyJsonFileOfThePagesMatchesItsSchema() throws Exception {
    try (TestServer server = TestServer.start(dir, c -> c.withJobLease(Duration.ofSeconds(3)))) {
      publishJobsInEveryState(server);
      Map<String, JsonSchemas.Kind> files = pageJson(server.site);

      assertThat(files)
          .containsKeys(
              "github-jobs/index.json",
              "github-jobs/1/json/index.json",
              "github-jobs/2/json/index.json",
              "github-jobs/3/json/index.json",
              "sourcehut-jobs/index.json",
              "status-api/github/777/index.json");
      assertThat(files).containsValue(JsonSchemas.Kind.TEST_HISTORY);
      for (var file : files.entrySet()) {
        JsonNode json = JSON.readTree(server.site.resolve(file.getKey()).toFile());
        assertThat(JsonSchemas.problems(SCHEMAS, file.getValue(), json))
            .as(file.getKey())
            .isEmpty();
      }
      String status = Files.readString(server.site.resolve("status-api/github/777/index.json"));
      assertThat(status).contains("\"state\" : \"running\"", "lost: no word", "cancelled by");
      assertThat(Files.readString(server.site.resolve("github-jobs/1/json/index.json")))
          .contains("\"failing\"");
    }
  }

  @Test
  void theSchemasRefuseARenamedOrMissingKey() throws Exception {
    try (TestServer server = TestServer.start(dir)) {
      publish(server, "1", "cpp-small", fixture("cpp-small"));
      ObjectNode run =
          (ObjectNode) JSON.readTree(server.site.resolve("github-jobs/1/json/index.json").toFile());
      ObjectNode job = (ObjectNode) run.path("jobs").get(0);

      job.set("statusTxt", job.remove("statusText"));

      assertThat(JsonSchemas.problems(SCHEMAS, JsonSchemas.Kind.RUN, run)).isNotEmpty();
      run.remove("jobs");
      assertThat(JsonSchemas.problems(SCHEMAS, JsonSchemas.Kind.RUN, run)).isNotEmpty();
    }
  }

  /**
   * Run 1: a failed job with a test table and a passed one; run 2: a running job with a finished
   * task; run 3: a cancelled and a lost job; all three filed under status run id 777; and a running
   * sourcehut job.
   */
  private static void publishJobsInEveryState(TestServer server) throws Exception {
    publish(server, "1", "tested", withTests());
    publish(server, "1", "dev-minimal", fixture("dev-minimal"));
    event(server, "eventName=start&runId=3&jobName=silent&GITHUB_RUN_ID=777");
    event(server, "eventName=start&runId=3&jobName=stopped&GITHUB_RUN_ID=777");
    event(server, "eventName=done&status=143&cancelled=SIGTERM&runId=3&jobName=stopped");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!server.get("/github-jobs/3/").body().contains("lost: no word")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    event(server, "eventName=start&runId=2&jobName=busy&GITHUB_RUN_ID=777");
    event(server, "eventName=task-start&task=build&runId=2&jobName=busy");
    event(server, "eventName=task-done&task=build&status=0&elapsed=1.5&runId=2&jobName=busy");
    event(server, "eventName=task-start&task=unit&runId=2&jobName=busy");
    server.post(
        "/event?eventName=start&workerHost=sourcehut&runId=5&jobName=busy", server.sourcehut);
  }

  private static void event(TestServer server, String query) {
    assertThat(server.post("/event?workerHost=github&" + query, server.github).statusCode())
        .as(query)
        .isEqualTo(200);
  }

  private static void publish(TestServer server, String run, String job, Multipart files) {
    assertThat(
            server
                .post(
                    "/results?workerHost=github&runId=" + run + "&jobName=" + job,
                    server.github,
                    files)
                .statusCode())
        .isEqualTo(200);
  }

  private static Multipart fixture(String job) {
    return TestServer.fixtureJob("github-jobs/4101", job);
  }

  /** Job {@code tested}: tasks unit (passed) and spec (failed), a test table with failures. */
  private static Multipart withTests() throws IOException {
    TaskName unit = new TaskName("unit");
    TaskName spec = new TaskName("spec");
    List<TestResult> tests =
        List.of(
            new TestResult(unit, "S", "a", TestStatus.PASS, 0.5, "", "out/u.xml", 3),
            new TestResult(spec, "S", "b", TestStatus.FAIL, 0.25, "expected 1", "out/s.xml", 7),
            new TestResult(
                spec, "", "out/x.xml", TestStatus.UNREADABLE, -1, "bad", "out/x.xml", 0));
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, "tested");
    values.put(JobMeta.COMMIT_HASH, "07ee33e4bb59fd268d5cc7200578668347eb96ec");
    values.put(JobMeta.GITHUB_REF, "refs/heads/main");
    values.put(JobMeta.GITHUB_RUN_ID, "777");
    TestCounts counts = TestCounts.NONE;
    for (TestResult t : tests) {
      counts = counts.with(t.status());
    }
    values.putAll(counts.metaValues());
    List<TaskRow> rows =
        List.of(
            new TaskRow(0, 3, unit, "t/unit.sh", "-", "-"),
            new TaskRow(1, 9, spec, "t/spec.sh", "-", "_test/spec/index.html"));
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry(SiteLayout.TEST_RESULTS));
      Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      TestTable.writeHeader(writer);
      for (TestResult t : tests) {
        TestTable.write(writer, t);
      }
      writer.flush();
      out.closeEntry();
    }
    return new Multipart()
        .file("wwz", "tested.wwz", zip.toByteArray())
        .file("tsv", "tested.tsv", TaskRows.format(rows).getBytes(StandardCharsets.UTF_8))
        .file("json", "tested.json", JobMetaCodec.format(new JobMeta(values)));
  }

  /**
   * Every JSON file the server wrote for pages, with the schema it must match; any other JSON file
   * must be a job's metadata or running state.
   */
  private static Map<String, JsonSchemas.Kind> pageJson(Path site) throws IOException {
    Map<String, JsonSchemas.Kind> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(site)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        String path = site.relativize(file).toString();
        if (path.matches("[a-z]+-jobs/index\\.json")) {
          out.put(path, JsonSchemas.Kind.HOST_INDEX);
        } else if (path.matches("[a-z]+-jobs/[^/]+/json/index\\.json")) {
          out.put(path, JsonSchemas.Kind.RUN);
        } else if (path.matches("[a-z]+-jobs/tests/json/[0-9a-f]{16}\\.json")) {
          out.put(path, JsonSchemas.Kind.TEST_HISTORY);
        } else if (path.startsWith(SiteLayout.STATUS_API + "/")) {
          out.put(path, JsonSchemas.Kind.STATUS);
        } else {
          // Else only a job's metadata or running state; a new kind of page JSON needs a schema.
          assertThat(path).matches("[a-z]+-jobs/[^/]+/(\\.running/)?[^/]+\\.json");
        }
      }
    }
    return out;
  }
}
