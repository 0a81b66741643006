package io.soilci.result.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.soilci.result.BadInput;
import io.soilci.result.WwzPath;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Every entry path WwzPath accepts stays inside the zip's folder when resolved as a file path. */
class WwzPathFuzzTest {
  private static final Path ZIP = Path.of("/srv/site/github-jobs/4101/cpp-small.wwz");

  @FuzzTest
  void acceptsOnlyPathsThatStayInsideTheZip(FuzzedDataProvider data) {
    String path = data.consumeRemainingAsString();
    try {
      WwzPath.require("path", path);
    } catch (BadInput e) {
      assertThat(e.getMessage()).startsWith("path '");
      return;
    }

    Path resolved;
    try {
      resolved = ZIP.resolve(path).normalize();
    } catch (InvalidPathException e) {
      throw new AssertionError("accepted a path the file system refuses: " + path, e);
    }

    assertThat(resolved.startsWith(ZIP)).as("%s inside %s", resolved, ZIP).isTrue();
    assertThat(resolved).isNotEqualTo(ZIP);
    assertThat(path).doesNotContain("\\").doesNotStartWith("/");
  }
}
