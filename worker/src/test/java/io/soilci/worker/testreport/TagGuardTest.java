package io.soilci.worker.testreport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TagGuardTest {
  private static final String LONG = "<" + "z".repeat(2 * TagGuard.MAX_TAG_BYTES);

  private static long readAll(String xml) throws IOException {
    try (InputStream in =
        new TagGuard(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))) {
      return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  @Test
  void commentsCdataAndQuotedBracketsAreNotTags() throws IOException {
    String xml =
        "<a x=\"1 > 0\" y='\"'><!-- "
            + LONG
            + " --><![CDATA["
            + LONG
            + "]]><b/>"
            + "z".repeat(2 * TagGuard.MAX_TAG_BYTES)
            + "</a>";

    assertThat(readAll(xml)).isEqualTo(xml.length());
  }

  @Test
  void aTagPastTheLimitIsRefused() {
    String xml = "<a><b c=\"" + "z".repeat(TagGuard.MAX_TAG_BYTES) + "\"/></a>";

    assertThatThrownBy(() -> readAll(xml))
        .isInstanceOf(IOException.class)
        .hasMessage("a tag is longer than 1048576 bytes (its attributes are read whole)");
  }
}
