package io.soilci.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveLogsTest {
  private final AtomicLong now = new AtomicLong();
  private final LiveLogs logs = new LiveLogs(2, 2, 8, now::get);
  private final JobRef job = new JobRef(WorkerHost.GITHUB, new RunId("1"), new JobName("cpp"));
  private final TaskName unit = new TaskName("unit");

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private String text(LiveTail tail) {
    return new String(tail.bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void servesWhatCameAfterTheGivenOffset() {
    logs.append(job, unit, "gh", bytes("abc"));
    logs.append(job, unit, "gh", bytes("de"));

    LiveTail tail = logs.read(job, unit, 2).orElseThrow();

    assertThat(text(tail)).isEqualTo("cde");
    assertThat(tail.start()).isEqualTo(2);
    assertThat(tail.end()).isEqualTo(5);
  }

  @Test
  void aChunkAtItsPositionIsKeptOnceAndOneAfterAGapStartsTheTailAtItsOffset() {
    LivePosition start = logs.position(job, unit, "gh");
    logs.appendAt(job, unit, "gh", start, OptionalLong.empty(), bytes("ab\n"));
    // The same chunk delivered again, then one that overlaps: their new bytes only.
    logs.appendAt(job, unit, "gh", start, OptionalLong.empty(), bytes("ab\n"));
    logs.appendAt(
        job, unit, "gh", new LivePosition(2, 0, false), OptionalLong.empty(), bytes("\ncd"));
    assertThat(logs.position(job, unit, "gh")).isEqualTo(new LivePosition(5, 1, false));
    assertThat(text(logs.read(job, unit, 0).orElseThrow())).isEqualTo("ab\ncd");

    // A replica that never got bytes 0..100 of another task: its tail starts at 100, line 8.
    TaskName late = new TaskName("late");
    logs.appendAt(
        job, late, "gh", new LivePosition(100, 7, true), OptionalLong.empty(), bytes("x\n"));
    LiveTail tail = logs.read(job, late, 0).orElseThrow();
    assertThat(tail.start()).isEqualTo(100);
    assertThat(text(tail)).isEqualTo("x\n");
    assertThat(logs.lines(new TaskKey(job, late), 0, false).orElseThrow().firstLine()).isEqualTo(8);
  }

  @Test
  void aChunkThatSaysWhereItBeginsIsKeptOnceAndOneThatDoesNotIsAppendedAsItCame() {
    logs.append(job, unit, "gh", OptionalLong.of(0), bytes("ab\n"));
    logs.append(job, unit, "gh", OptionalLong.of(0), bytes("ab\n"));
    logs.append(job, unit, "gh", OptionalLong.of(1), bytes("b\nc"));
    // The worker skipped bytes it never sent: what it sends next is appended after the rest.
    logs.append(job, unit, "gh", OptionalLong.of(40), bytes("d"));
    assertThat(logs.held(job, unit, 0, 3)).isEqualTo(3);
    assertThat(logs.held(job, unit, 40, 2)).isEqualTo(1);
    assertThat(text(logs.read(job, unit, 0).orElseThrow())).isEqualTo("ab\ncd");

    TaskName other = new TaskName("other");
    logs.append(job, other, "gh", bytes("x"));
    logs.append(job, other, "gh", bytes("x"));
    assertThat(text(logs.read(job, other, 0).orElseThrow())).isEqualTo("xx");
    assertThat(logs.held(job, other, 0, 1)).isZero();
  }

  @Test
  void aJobStartedAgainByItsWorkerKeepsTheNewAttemptsChunksThoughTheirOffsetsBeginAgain() {
    logs.started(job, "gh");
    logs.append(job, unit, "gh", OptionalLong.of(0), bytes("old\n"));
    // The worker died without a done event; the CI runs the job again: a new log from offset 0.
    logs.started(job, "gh");
    logs.append(job, unit, "gh", OptionalLong.of(0), bytes("new"));
    assertThat(text(logs.read(job, unit, 0).orElseThrow())).endsWith("new");
    logs.append(job, unit, "gh", OptionalLong.of(0), bytes("new"));
    assertThat(text(logs.read(job, unit, 0).orElseThrow()))
        .endsWith("new")
        .doesNotContain("newnew");
  }

  @Test
  void aPositionIsRefusedToAWorkerThatDidNotStartTheJob() {
    logs.started(job, "gh");

    assertThatThrownBy(() -> logs.position(job, unit, "other"))
        .isInstanceOf(HttpError.class)
        .hasMessageContaining("belongs to worker 'gh'");
  }

  @Test
  void keepsOnlyTheNewestBytesOfATaskAndSaysWhereTheyStart() {
    logs.append(job, unit, "gh", bytes("0123456"));
    logs.append(job, unit, "gh", bytes("789ab"));

    LiveTail tail = logs.read(job, unit, 0).orElseThrow();

    assertThat(text(tail)).isEqualTo("456789ab");
    assertThat(tail.start()).isEqualTo(4);
    assertThat(tail.end()).isEqualTo(12);
  }

  @Test
  void keepsTheTailOfAChunkLargerThanTheWholeBudget() {
    logs.append(job, unit, "gh", bytes("0123456789"));

    assertThat(text(logs.read(job, unit, 0).orElseThrow())).isEqualTo("23456789");
  }

  @Test
  void anOffsetPastTheEndGivesNothingNew() {
    logs.append(job, unit, "gh", bytes("abc"));

    LiveTail tail = logs.read(job, unit, 99).orElseThrow();

    assertThat(tail.bytes()).isEmpty();
    assertThat(tail.start()).isEqualTo(3);
  }

  @Test
  void forgetsTheTaskWrittenToLeastRecentlyBeyondTheTaskLimit() {
    logs.append(job, new TaskName("a"), "gh", bytes("1"));
    logs.append(job, new TaskName("b"), "gh", bytes("2"));
    logs.append(job, new TaskName("a"), "gh", bytes("3"));
    logs.append(job, new TaskName("c"), "gh", bytes("4"));

    assertThat(logs.read(job, new TaskName("b"), 0)).isEmpty();
    assertThat(logs.read(job, new TaskName("a"), 0)).isPresent();
    assertThat(logs.size()).isEqualTo(2);
  }

  @Test
  void forgetsAJobsTasksWhenItIsDoneAndTasksSilentForAnHour() {
    JobRef other = new JobRef(WorkerHost.GITHUB, new RunId("2"), new JobName("cpp"));
    logs.append(job, unit, "gh", bytes("x"));
    logs.drop(job, 0);
    logs.append(other, unit, "gh", bytes("y"));
    now.addAndGet(3601L * 1_000_000_000L);

    assertThat(logs.read(job, unit, 0)).isEmpty();
    assertThat(logs.read(other, unit, 0)).isEmpty();
  }

  @Test
  void anotherHostsTasksNeverEvictAHostsLiveLog() {
    LiveLogs perHost = new LiveLogs(2, 2, 8, now::get);
    perHost.append(job, unit, "gh", bytes("kept"));

    for (int i = 0; i < 5; i++) {
      JobRef srht = new JobRef(WorkerHost.SOURCEHUT, new RunId("s" + i), new JobName("cpp"));
      perHost.append(srht, unit, "srht-" + i, bytes("x"));
    }

    assertThat(text(perHost.read(job, unit, 0).orElseThrow())).isEqualTo("kept");
    assertThat(perHost.size()).isEqualTo(3);
  }

  @Test
  void aWorkersTasksEvictOnlyItsOwnLiveLogs() {
    LiveLogs perWorker = new LiveLogs(10, 1, 8, now::get);
    JobRef mine = new JobRef(WorkerHost.GITHUB, new RunId("2"), new JobName("cpp"));
    perWorker.append(job, unit, "other", bytes("kept"));

    perWorker.append(mine, new TaskName("a"), "gh", bytes("1"));
    perWorker.append(mine, new TaskName("b"), "gh", bytes("2"));

    assertThat(text(perWorker.read(job, unit, 0).orElseThrow())).isEqualTo("kept");
    assertThat(perWorker.read(mine, new TaskName("a"), 0)).isEmpty();
    assertThat(perWorker.read(mine, new TaskName("b"), 0)).isPresent();
  }

  @Test
  void aJobsLiveLogAcceptsOnlyTheWorkerThatStartedIt() {
    logs.started(job, "gh");

    assertThatThrownBy(() -> logs.append(job, unit, "intruder", bytes("forged")))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage(
            "the live log of github-jobs/1/cpp belongs to worker 'gh', which started the job;"
                + " worker 'intruder' may not append to it");
    assertThat(logs.read(job, unit, 0)).isEmpty();
  }
}
