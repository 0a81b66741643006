package io.soilci.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectHeadersTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "github-jobs/4101/cpp.wwz | public, max-age=300",
        "github-jobs/4101/cpp.tsv | public, max-age=300",
        "sourcehut-jobs/77/dev-minimal.json | public, max-age=300",
        "github-jobs/4101/index.html | no-cache",
        "github-jobs/4101/json/index.json | no-cache",
        "github-jobs/4101/index.json | no-cache",
        "github-jobs/index.json | no-cache",
        "github-jobs/tests/json/0123456789abcdef.json | no-cache",
        "status-api/github/4101/cpp.status.txt | no-cache",
        "other-jobs/4101/cpp.wwz | no-cache",
        "index.html | no-cache",
        "web/base.css | no-cache",
      })
  void cachesJobFilesBrieflyAndRevalidatesEverythingElse(String key, String cacheControl) {
    assertThat(ObjectHeaders.cacheControl(key)).isEqualTo(cacheControl);
  }
}
