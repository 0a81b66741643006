package io.soilci.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WwzIndexPageTest {
  @Test
  void linksEachTasksLogAndResult() {
    List<TaskRow> tasks =
        List.of(
            new TaskRow(0, 1.2, new TaskName("build"), "b.sh", "all", "_tmp/out/<x>.html"),
            new TaskRow(1, 3.0, new TaskName("unit"), "u.sh", "all", TaskRow.NONE));

    String html = WwzIndexPage.render(new JobName("dev-minimal"), tasks);

    assertThat(html)
        .contains(
            "<a href=\"_tmp/soil/logs/build.txt?view\">log</a>"
                + " <a href=\"_tmp/soil/logs/build.txt\">raw</a>")
        .contains("<a href=\"_tmp/out/&lt;x&gt;.html\">result</a>")
        .contains("<a href=\"../dev-minimal.json\">")
        .contains("failed: task unit")
        .doesNotContain("<x>");
  }

  /**
   * Byte for byte what the Pebble template it replaced rendered (the golden file was written by
   * it): every status, escaping, a result and none, and a passed job.
   */
  @Test
  void rendersExactlyWhatTheTemplateDid() throws Exception {
    List<TaskRow> tasks =
        List.of(
            new TaskRow(0, 1.2, new TaskName("build"), "b.sh", "all", "_tmp/out/<x>&'\"y.html"),
            new TaskRow(1, 3.0, new TaskName("unit"), "u.sh", "all", TaskRow.NONE),
            new TaskRow(124, 905.5, new TaskName("hang"), "h.sh", "x", TaskRow.NONE),
            new TaskRow(137, 61, new TaskName("killed"), "k.sh", "x", "r/index.html"),
            new TaskRow(253, 0, new TaskName("skipped"), "s.sh", "x", TaskRow.NONE),
            new TaskRow(255, 4000, new TaskName("Broke_1.x-y"), "s.sh", "x", TaskRow.NONE));
    String rendered =
        WwzIndexPage.render(new JobName("dev-minimal"), tasks)
            + "=====\n"
            + WwzIndexPage.render(
                new JobName("all.ok"),
                List.of(new TaskRow(0, 0.004, new TaskName("a"), "a.sh", "x", TaskRow.NONE)));

    try (InputStream golden = getClass().getResourceAsStream("wwz-index-golden.html")) {
      assertThat(rendered).isEqualTo(new String(golden.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
