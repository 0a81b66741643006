package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobMetaRulesTest {
  private static final String EPOCH_RULE =
      "must be whole epoch seconds from 946684800 (2000-01-01T00:00:00Z) to one day after the"
          + " server's clock, e.g. 1763632800";
  private static final String DATE_RULE =
      "must be an ISO 8601 date and time with offset from 1970 to 9999, as 'git log --format=%aI'"
          + " prints it, e.g. 2026-11-20T10:00:01+00:00";
  private static final String SECONDS_RULE =
      "must be seconds in ASCII digits (at most 9 before the point), e.g. 0.412";

  /** Hostile values for each checked key, with the exact message each must get. */
  static Stream<Arguments> hostileValues() {
    long tooLate = Instant.now().getEpochSecond() + 2 * 86_400;
    return Stream.of(
        // The value of issue 17 High 1: beyond what Instant holds.
        Arguments.of("task-run-start-time", "31556889864403200", EPOCH_RULE),
        Arguments.of("task-run-start-time", "999999999999", EPOCH_RULE),
        Arguments.of("task-run-start-time", Long.toString(tooLate), EPOCH_RULE),
        Arguments.of("task-run-start-time", "946684799", EPOCH_RULE),
        Arguments.of("task-run-start-time", "0", EPOCH_RULE),
        Arguments.of("task-run-start-time", "-1", EPOCH_RULE),
        Arguments.of("task-run-start-time", "+1763632800", EPOCH_RULE),
        Arguments.of("task-run-start-time", "1763632800.5", EPOCH_RULE),
        Arguments.of("task-run-start-time", " 1763632800", EPOCH_RULE),
        Arguments.of("task-run-start-time", "١٧٦٣٦٣٢٨٠٠", EPOCH_RULE),
        Arguments.of("task-run-start-time", "9223372036854775808", EPOCH_RULE),
        Arguments.of("task-run-start-time", "", EPOCH_RULE),
        Arguments.of("task-run-start-time", "NaN", EPOCH_RULE),
        Arguments.of("task-deploy-start-time", "31556889864403200", EPOCH_RULE),
        Arguments.of("task-deploy-start-time", "1e9", EPOCH_RULE),
        Arguments.of("commit-date", "yesterday", DATE_RULE),
        Arguments.of("commit-date", "2026-11-20", DATE_RULE),
        Arguments.of("commit-date", "2026-11-20T10:00:01", DATE_RULE),
        Arguments.of("commit-date", "+999999999-12-31T23:59:59+00:00", DATE_RULE),
        Arguments.of("commit-date", "1969-12-31T23:59:59+00:00", DATE_RULE),
        Arguments.of("commit-date", "2026-13-01T10:00:01+00:00", DATE_RULE),
        Arguments.of("workspace-prepare-time", "-1", SECONDS_RULE),
        Arguments.of("workspace-prepare-time", "NaN", SECONDS_RULE),
        Arguments.of("workspace-prepare-time", "Infinity", SECONDS_RULE),
        Arguments.of("workspace-prepare-time", "1e308", SECONDS_RULE),
        Arguments.of("workspace-prepare-time", "9999999999", SECONDS_RULE),
        Arguments.of("workspace-cache", "maybe", "must be one of hit, miss"),
        Arguments.of("GITHUB_PR_NUMBER", "12; rm -rf", "must be 1-12 ASCII digits or null"),
        Arguments.of("GITHUB_PR_NUMBER", "-5", "must be 1-12 ASCII digits or null"));
  }

  @ParameterizedTest
  @MethodSource("hostileValues")
  void refusesEachHostileValueNamingKeyValueAndRule(String key, String value, String rule) {
    String json = "{\"job-name\": \"cpp\", \"" + key + "\": \"" + value + "\"}";

    assertThatThrownBy(() -> JobMetaCodec.parse(json.getBytes(StandardCharsets.UTF_8), "cpp.json"))
        .isInstanceOf(BadInput.class)
        .hasMessage("cpp.json: " + key + " '" + value + "' " + rule);
  }

  @Test
  void refusesTheSameValuesWhenBuiltInCode() {
    java.util.Map<String, @org.jspecify.annotations.Nullable String> values =
        new java.util.LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, "cpp");
    values.put(JobMeta.TASK_RUN_START_TIME, "31556889864403200");

    assertThatThrownBy(() -> new JobMeta(values))
        .isInstanceOf(BadInput.class)
        .hasMessage("task-run-start-time '31556889864403200' " + EPOCH_RULE);
  }

  @Test
  void acceptsSoilsValuesAndMissingOrNullOnes() {
    String json =
        "{\"job-name\": \"cpp\", \"task-run-start-time\": \"1763632800\","
            + " \"task-deploy-start-time\": null, \"commit-date\": \"2026-11-20T10:00:01+01:00\","
            + " \"workspace-prepare-time\": \"0.412\", \"workspace-cache\": \"hit\","
            + " \"GITHUB_PR_NUMBER\": \"\"}";

    JobMeta meta = JobMetaCodec.parse(json.getBytes(StandardCharsets.UTF_8), "cpp.json");

    assertThat(meta.taskRunStartTime()).contains(1763632800L);
  }

  @Test
  void acceptsTheOriginalSoilsFixturesUnchanged() throws Exception {
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.walk(Fixtures.soilOriginal())) {
      for (java.nio.file.Path json : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        assertThat(JobMetaCodec.read(json, json.toString()).jobName()).isNotNull();
      }
    }
  }
}
