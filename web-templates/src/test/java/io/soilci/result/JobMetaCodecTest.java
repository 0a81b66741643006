package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobMetaCodecTest {
  private static final Path GITHUB_JSON =
      Fixtures.soilOriginal().resolve("github-jobs/4101/cpp-small.json");

  @Test
  void readsTheOriginalSoilsFileWithNulls() throws Exception {
    JobMeta meta = JobMetaCodec.read(GITHUB_JSON, "cpp-small.json");

    assertThat(meta.jobName()).isEqualTo(new JobName("cpp-small"));
    assertThat(meta.get(JobMeta.COMMIT_LINE)).contains("Fix <b>the</b> parser & lexer");
    assertThat(meta.values()).containsEntry(JobMeta.GITHUB_PR_NUMBER, null);
    assertThat(meta.pullRequest()).isEmpty();
    assertThat(meta.branch()).contains("soil-staging");
    assertThat(meta.taskRunStartTime()).contains(1763632800L);
  }

  @Test
  void writesPythonsLayoutByteForByte() throws Exception {
    byte[] original = Files.readAllBytes(GITHUB_JSON);

    byte[] written = JobMetaCodec.format(JobMetaCodec.parse(original, "cpp-small.json"));

    assertThat(new String(written, StandardCharsets.UTF_8))
        .isEqualTo(new String(original, StandardCharsets.UTF_8).stripTrailing() + "\n");
  }

  @Test
  void keepsUnknownKeysInOrder() {
    String json = "{\"zeta\": \"1\", \"job-name\": \"j\", \"alpha\": null}";

    JobMeta meta = JobMetaCodec.parse(json.getBytes(StandardCharsets.UTF_8), "j.json");

    assertThat(meta.values().keySet()).containsExactly("zeta", "job-name", "alpha");
  }

  @Test
  void usesThePullRequestHeadAsTheCommit() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(JobMeta.JOB_NAME, "j");
    values.put(JobMeta.COMMIT_HASH, "merge");
    values.put(JobMeta.GITHUB_PR_NUMBER, "42");
    values.put(JobMeta.GITHUB_PR_HEAD_REF, "fix-lexer");
    values.put(JobMeta.GITHUB_PR_HEAD_SHA, "head");

    JobMeta meta = new JobMeta(values);

    assertThat(meta.pullRequest()).contains("PR #42 from fix-lexer");
    assertThat(meta.commit()).contains("head");
  }

  @Test
  void rejectsWhatIsNotAFlatObjectWithJobName() {
    assertThatThrownBy(() -> parse("[1, 2]")).hasMessage("j.json must be a JSON object");
    assertThatThrownBy(() -> parse("{\"commit-hash\": \"a\"}"))
        .hasMessage("j.json: JOB.json must have a string \"job-name\"");
    assertThatThrownBy(() -> parse("{\"job-name\": \"j\", \"x\": {\"y\": 1}}"))
        .hasMessage("j.json: key \"x\" must be a string or null");
    assertThatThrownBy(() -> parse("{\"job-name\": \"a/b\"}"))
        .hasMessageStartingWith("j.json: jobName 'a/b' must be 1-100 letters");
    assertThatThrownBy(() -> parse("{\"job-name\": \"j\"} x")).isInstanceOf(BadInput.class);
    assertThatThrownBy(() -> parse("{\"job-name\": ")).isInstanceOf(BadInput.class);
  }

  @Test
  void rejectsDeepNesting() {
    assertThatThrownBy(() -> parse("{\"a\":" + "[".repeat(5000)))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("j.json");
  }

  private static JobMeta parse(String json) {
    return JobMetaCodec.parse(json.getBytes(StandardCharsets.UTF_8), "j.json");
  }
}
