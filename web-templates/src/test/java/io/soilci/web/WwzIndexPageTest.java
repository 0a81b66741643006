package io.soilci.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.JobName;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
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
}
