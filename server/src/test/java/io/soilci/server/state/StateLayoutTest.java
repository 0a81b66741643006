package io.soilci.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
}
