package io.soilci.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobListenerTest {
  @Test
  void bothTellsTheFirstThenTheSecondOfEveryStep() {
    List<String> heard = new ArrayList<>();
    TaskRow row = new TaskRow(1, 0.5, new TaskName("unit"), "u.sh", "all", TaskRow.NONE);

    JobListener both = JobListener.both(recorder("a", heard), recorder("b", heard));
    both.jobStarted(GitFacts.start(Path.of("no-such-checkout"), Map.of()));
    both.taskStarted(row.name());
    both.taskFinished(row);

    assertThat(heard)
        .containsExactly(
            "a job", "b job", "a start unit", "b start unit", "a done unit 1", "b done unit 1");
  }

  @Test
  void bothWithNoneIsTheOtherListener() {
    JobListener one = recorder("a", new ArrayList<>());

    assertThat(JobListener.both(JobListener.NONE, one)).isSameAs(one);
    assertThat(JobListener.both(one, JobListener.NONE)).isSameAs(one);
  }

  private static JobListener recorder(String name, List<String> heard) {
    return new JobListener() {
      @Override
      public void jobStarted(GitFacts commit) {
        heard.add(name + " job");
      }

      @Override
      public void taskStarted(TaskName task) {
        heard.add(name + " start " + task);
      }

      @Override
      public void taskFinished(TaskRow row) {
        heard.add(name + " done " + row.name() + " " + row.status());
      }
    };
  }
}
