package io.soilci.server.upload;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.server.config.Limits;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WwzCheckTest {
  @TempDir Path dir;

  private final WwzCheck check = new WwzCheck(Limits.DEFAULTS);

  private Path write(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("job.wwz"), bytes);
  }

  @Test
  void acceptsTheOriginalSoilsWwz() throws IOException {
    Path zip = write(SiteTrees.fixture("github-jobs/4101/cpp-small.wwz"));

    assertThatCode(() -> check.check(zip, "cpp-small.wwz")).doesNotThrowAnyException();
  }

  @Test
  void rejectsATruncatedZip() throws IOException {
    byte[] whole = SiteTrees.fixture("github-jobs/4101/cpp-small.wwz");
    Path zip = write(Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> check.check(zip, "cpp-small.wwz"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("cpp-small.wwz is not a readable zip file: ");
  }

  @Test
  void rejectsAParentFolderEntry() throws IOException {
    Path zip = write(Zips.of(Map.of("../evil.txt", "x")));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "j.wwz entry '../evil.txt' must be a relative path of at most 1024 characters with no"
                + " '..', '.', empty segment, backslash or control character");
  }

  @Test
  void rejectsAnAbsoluteEntry() throws IOException {
    Path zip = write(Zips.of(Map.of("/etc/passwd", "x")));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .hasMessageStartingWith("j.wwz entry '/etc/passwd' must be a relative path");
  }

  @Test
  void rejectsATraversalWrittenWithBackslashes() throws IOException {
    // Commons Compress reads a DOS zip's backslashes as folder separators, as unzip does.
    Path zip = write(Zips.of(Map.of("a\\..\\..\\b.txt", "x")));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .hasMessageStartingWith("j.wwz entry 'a/../../b.txt' must be a relative path");
  }

  @Test
  void rejectsADuplicatedEntry() throws IOException {
    Path zip = write(Zips.duplicated("index.html"));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .hasMessage("j.wwz entry 'index.html' appears more than once");
  }

  @Test
  void rejectsAnEncryptedEntry() throws IOException {
    Path zip = write(Zips.markedEncrypted(Zips.of(Map.of("secret.txt", "x"))));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .hasMessage("j.wwz entry 'secret.txt' is encrypted");
  }

  @Test
  void rejectsASymlinkEntry() throws IOException {
    Path zip = write(Zips.symlink("link.txt"));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .hasMessage("j.wwz entry 'link.txt' is a symbolic link");
  }

  @Test
  void rejectsTooManyEntries() throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 11; i++) {
      entries.put("f" + i + ".txt", "x");
    }
    Path zip = write(Zips.of(entries));
    WwzCheck small = new WwzCheck(withZipEntries(10));

    assertThatThrownBy(() -> small.check(zip, "j.wwz"))
        .hasMessage("j.wwz has more than 10 entries (maxZipEntries)");
  }

  @Test
  void rejectsABombByItsCompressionRatio() throws IOException {
    Path zip = write(Zips.zeros("zeros.txt", 20 << 20));

    assertThatThrownBy(() -> check.check(zip, "j.wwz"))
        .isInstanceOf(BadInput.class)
        .hasMessageMatching(
            "j.wwz entry 'zeros.txt' expands [0-9]+ times, more than maxCompressionRatio 200");
  }

  @Test
  void rejectsMoreUncompressedBytesThanTheLimit() throws IOException {
    Map<String, String> entries = Map.of("a.txt", "0123456789".repeat(200));
    Path zip = write(Zips.of(entries));
    Limits d = Limits.DEFAULTS;
    WwzCheck small =
        new WwzCheck(
            new Limits(
                d.maxRequestBytes(),
                d.maxParts(),
                d.maxHeaderBytes(),
                d.maxZipEntries(),
                1000,
                d.maxCompressionRatio(),
                d.maxUploadsInFlight(),
                d.drainBytes()));

    assertThatThrownBy(() -> small.check(zip, "j.wwz"))
        .hasMessage("j.wwz holds more than 1000 bytes uncompressed (maxUncompressedBytes)");
  }

  private static Limits withZipEntries(int n) {
    Limits d = Limits.DEFAULTS;
    return new Limits(
        d.maxRequestBytes(),
        d.maxParts(),
        d.maxHeaderBytes(),
        n,
        d.maxUncompressedBytes(),
        d.maxCompressionRatio(),
        d.maxUploadsInFlight(),
        d.drainBytes());
  }
}
