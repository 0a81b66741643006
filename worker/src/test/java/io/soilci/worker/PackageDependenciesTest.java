package io.soilci.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages depend one way: read from the compiled classes by the JDK's {@code jdeps},
 * no package reaches itself through others (e.g. {@code run} and {@code publish} never both import
 * each other). jdeps sees what the bytecode uses, not annotation values such as picocli's list of
 * subcommands.
 */
class PackageDependenciesTest {
  private static final Pattern EDGE =
      Pattern.compile("^\\s+(io\\.soilci\\.worker\\S*)\\s+->\\s+(io\\.soilci\\.worker\\S*)\\s");

  @Test
  void workerPackagesFormNoCycle() throws Exception {
    Map<String, Set<String>> graph = packageGraph();

    assertThat(graph.keySet())
        .contains(
            "io.soilci.worker.run",
            "io.soilci.worker.publish",
            "io.soilci.worker.runjob",
            "io.soilci.worker.workspace");
    assertThat(graph.get("io.soilci.worker.runjob"))
        .contains("io.soilci.worker.run", "io.soilci.worker.publish");
    assertThat(firstCycle(graph)).isEmpty();
  }

  @Test
  void aCycleIsFoundAndNamedPackageByPackage() {
    Map<String, Set<String>> graph =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));

    assertThat(firstCycle(graph)).contains("a -> b -> c -> a");
  }

  @Test
  void aDiamondIsNoCycle() {
    Map<String, Set<String>> graph =
        Map.of("a", Set.of("b", "c"), "b", Set.of("d"), "c", Set.of("d"), "d", Set.of());

    assertThat(firstCycle(graph)).isEmpty();
  }

  /** Package to the worker packages it uses, from {@code jdeps -verbose:package}. */
  private static Map<String, Set<String>> packageGraph() throws Exception {
    Path classes =
        Path.of(WorkerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int exit =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(out),
            "-verbose:package",
            "-e",
            "io\\.soilci\\.worker(\\..*)?",
            classes.toString());
    assertThat(exit).as(out.toString()).isZero();
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().lines().toList()) {
      Matcher edge = EDGE.matcher(line);
      if (edge.find()) {
        graph.computeIfAbsent(edge.group(1), p -> new TreeSet<>()).add(edge.group(2));
      }
    }
    return graph;
  }

  /** A cycle as {@code a -> b -> a}, if the graph has one. */
  static Optional<String> firstCycle(Map<String, Set<String>> graph) {
    Set<String> done = new TreeSet<>();
    for (String start : new TreeSet<>(graph.keySet())) {
      Optional<String> cycle = cycleFrom(start, graph, new ArrayList<>(), done);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> cycleFrom(
      String node, Map<String, Set<String>> graph, List<String> path, Set<String> done) {
    int seen = path.indexOf(node);
    if (seen >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
      cycle.add(node);
      return Optional.of(String.join(" -> ", cycle));
    }
    if (done.contains(node)) {
      return Optional.empty();
    }
    path.add(node);
    for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
      Optional<String> cycle = cycleFrom(next, graph, path, done);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    done.add(node);
    return Optional.empty();
  }
}
