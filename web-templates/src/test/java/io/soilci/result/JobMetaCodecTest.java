package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
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

  /**
   * The hand-written format is what Jackson's generator, which wrote JOB.json before, writes for
   * the same values: escapes, control characters, surrogates (paired or not) and every other
   * character, keys as values.
   */
  @Test
  void formatsAsJacksonsPrettyPrinterDid() throws Exception {
    String[] pool = {
      "a",
      "Z",
      "0",
      " ",
      "\"",
      "\\",
      "/",
      "<",
      "&",
      "'",
      "\u007f",
      "\u0080",
      "\u00e9",
      "\u07ff",
      "\u0800",
      "\u2028",
      "\u4e2d",
      "\ufffd",
      "\uffff",
      "\ud83d\ude00",
      "\ud83d",
      "\ude00",
      "\udbff\udfff"
    };
    Random random = new Random(16);
    for (int round = 0; round < 2000; round++) {
      Map<String, @Nullable String> values = new LinkedHashMap<>();
      values.put(JobMeta.JOB_NAME, "j");
      for (int k = 0; k < 1 + random.nextInt(4); k++) {
        values.put("x-" + text(random, pool), random.nextInt(5) == 0 ? null : text(random, pool));
      }
      JobMeta meta = new JobMeta(values);

      assertThat(JobMetaCodec.format(meta)).as(values.toString()).isEqualTo(jackson(meta));
    }
  }

  private static String text(Random random, String[] pool) {
    StringBuilder out = new StringBuilder();
    for (int i = random.nextInt(8); i > 0; i--) {
      out.append(
          random.nextInt(3) == 0
              ? String.valueOf((char) random.nextInt(0x20))
              : pool[random.nextInt(pool.length)]);
    }
    return out.toString();
  }

  /** How JOB.json was written before: Jackson's generator with Python's indent=2 layout. */
  private static byte[] jackson(JobMeta meta) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DefaultPrettyPrinter pretty =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    try (JsonGenerator gen = new JsonFactory().createGenerator(out)) {
      gen.setPrettyPrinter(pretty);
      gen.writeStartObject();
      for (Map.Entry<String, @Nullable String> entry : meta.values().entrySet()) {
        gen.writeStringField(entry.getKey(), entry.getValue());
      }
      gen.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
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
  void rejectsAKeyGivenTwice() {
    // Which of the two a reader takes is not the writer's to tell: the upload names the key.
    assertThatThrownBy(
            () ->
                parse(
                    "{\"job-name\": \"j\", \"commit-hash\": \"aaaaaaa\","
                        + " \"commit-hash\": \"bbbbbbb\"}"))
        .isInstanceOf(BadInput.class)
        .hasMessage("j.json: key \"commit-hash\" is given twice; give each key once");
    assertThatThrownBy(() -> parse("{\"job-name\": \"j\", \"job-name\": \"j\"}"))
        .hasMessage("j.json: key \"job-name\" is given twice; give each key once");
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
