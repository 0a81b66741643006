package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageAnnouncementTest {

  @Test
  void carriesPagesBytesThroughItsJson() throws IOException {
    byte[] page = "<html>\u00e9\u0000\u00ff</html>".getBytes(StandardCharsets.UTF_8);
    PageAnnouncement sent =
        new PageAnnouncement(
            PageAnnouncement.VERSION,
            "host.github-jobs",
            "r1",
            42,
            Map.of("github-jobs/1/index.html", "abc", "github-jobs/2/index.html", ""),
            Map.of("github-jobs/1/index.html", page));

    PageAnnouncement read = PageAnnouncement.decode(sent.encode());

    assertThat(read.pages()).isEqualTo(sent.pages());
    assertThat(read.upTo()).isEqualTo(42);
    assertThat(read.inline()).containsOnlyKeys("github-jobs/1/index.html");
    assertThat(read.inline().get("github-jobs/1/index.html")).isEqualTo(page);
  }

  @Test
  void readsAVersionOneAnnouncementAsOneWithNoBytes() throws IOException {
    String v1 =
        "{\"version\":1,\"role\":\"site\",\"origin\":\"r2\",\"upTo\":7,"
            + "\"pages\":{\"index.html\":\"0123\"}}";

    PageAnnouncement read = PageAnnouncement.decode(v1.getBytes(StandardCharsets.UTF_8));

    assertThat(read.pages()).containsEntry("index.html", "0123");
    assertThat(read.inline()).isEmpty();
  }

  @Test
  void refusesAVersionItDoesNotRead() {
    String v3 = "{\"version\":3,\"role\":\"site\",\"origin\":\"r2\",\"upTo\":7,\"pages\":{}}";

    assertThatThrownBy(() -> PageAnnouncement.decode(v3.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 3 is not one this server reads (1 to 2)")
        .hasMessageContaining("upgrade this replica");
  }
}
