package io.soilci.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The state folder's names are an on-disk format: a server must keep reading the state folder an
 * older one wrote. A rename fails here, so it is made on purpose (with a migration and
 * docs/ARCHITECTURE.md, "The state folder").
 */
class StateLayoutTest {
  private static final Path ROOT = Path.of("/var/lib/soil");

  @Test
  void namesEveryEntryAsOlderServersWroteIt() {
    StateLayout state = new StateLayout(ROOT);
    Map<Path, String> entries = new LinkedHashMap<>();

    entries.put(state.workers(), "workers.json");
    entries.put(state.localServer(), "server.json");
    entries.put(state.indexSnapshot(), "index.snapshot");
    entries.put(state.pageJournal(), "pages.journal");
    entries.put(state.commits(), "commits");
    entries.put(state.hookSpool("site"), "hooks/site");
    entries.put(state.hookSpool("coordinator"), "hooks/coordinator");
    entries.put(state.hooksDue(), "hooks-due");
    entries.put(state.coordinatorQueue(), "coordinator/queue.log");
    entries.put(state.logIndex(), "log-index");
    entries.put(state.wwzInflated(), "wwz-inflated");
    entries.put(state.clusterOutbox(), "cluster/outbox");
    entries.put(state.appliedSequence(), "cluster/applied-sequence");
    entries.put(state.pagesSequence(), "cluster/pages-sequence");
    entries.put(state.pagesAnnounced(), "cluster/pages-announced");

    assertThat(entries).hasSize(15);
    entries.forEach((path, name) -> assertThat(ROOT.relativize(path)).hasToString(name));
    assertThat(StateLayout.INDEX_SNAPSHOT).isEqualTo("index.snapshot");
    assertThat(state.root()).isEqualTo(ROOT);
  }

  @Test
  void namesAJobAsOlderServersWroteIt() {
    StateLayout state = new StateLayout(ROOT);
    JobRef job = new JobRef(WorkerHost.GITHUB, new RunId("4101"), new JobName("cpp"));

    assertThat(ROOT.relativize(state.commitManifest(job)))
        .hasToString("commits/github+4101+cpp.commit");
    assertThat(ROOT.relativize(state.hookDue(job))).hasToString("hooks-due/github+4101+cpp");
    assertThat(StateLayout.jobLine(job)).isEqualTo("github\t4101\tcpp");
    assertThat(StateLayout.jobOfLine("github\t4101\tcpp")).isEqualTo(job);
    for (String line : List.of("github\t4101", "github\t4101\tcpp\tmore", "", "nohost\t1\tj")) {
      assertThatThrownBy(() -> StateLayout.jobOfLine(line))
          .as(line)
          .isInstanceOfAny(IllegalArgumentException.class, BadInput.class);
    }
  }
}
