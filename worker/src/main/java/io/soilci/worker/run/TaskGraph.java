package io.soilci.worker.run;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Checks the needs of a job's tasks: each names another task of the list, and none go round. */
final class TaskGraph {
  private static final int ON_PATH = 1;
  private static final int DONE = 2;

  private TaskGraph() {}

  /**
   * Throws {@link BadInput} for the first task (in list order) that needs itself, a task the list
   * does not have, or that is on a cycle of needs; {@code where} names its {@code # needs:} line.
   */
  static void check(List<TaskLine> tasks, Function<TaskName, String> where) {
    Map<TaskName, TaskLine> byName = new HashMap<>();
    tasks.forEach(t -> byName.put(t.name(), t));
    for (TaskLine task : tasks) {
      for (TaskName need : task.needs()) {
        if (need.equals(task.name())) {
          throw new BadInput(where.apply(task.name()) + ": task '" + need + "' needs itself");
        }
        if (!byName.containsKey(need)) {
          throw new BadInput(
              where.apply(task.name())
                  + ": task '"
                  + task.name()
                  + "' needs '"
                  + need
                  + "', which the task list does not have");
        }
      }
    }
    Map<TaskName, Integer> state = new HashMap<>();
    for (TaskLine task : tasks) {
      List<TaskName> cycle = cycleFrom(task.name(), byName, state);
      if (cycle != null) {
        TaskName first = cycle.get(0);
        throw new BadInput(
            where.apply(first)
                + ": task '"
                + first
                + "' needs itself through a cycle: "
                + String.join(" -> ", cycle.stream().map(TaskName::value).toList())
                + "; a task may only need tasks that do not need it");
      }
    }
  }

  /**
   * Depth first from {@code name}, without recursion (a list may chain 10,000 tasks); the cycle
   * found (its first task repeated at the end) or null.
   */
  private static @Nullable List<TaskName> cycleFrom(
      TaskName name, Map<TaskName, TaskLine> byName, Map<TaskName, Integer> state) {
    if (state.containsKey(name)) {
      return null;
    }
    List<TaskName> path = new ArrayList<>();
    List<Integer> nextNeed = new ArrayList<>();
    path.add(name);
    nextNeed.add(0);
    state.put(name, ON_PATH);
    while (!path.isEmpty()) {
      int top = path.size() - 1;
      List<TaskName> needs = Objects.requireNonNull(byName.get(path.get(top))).needs();
      int i = nextNeed.get(top);
      if (i == needs.size()) {
        state.put(path.remove(top), DONE);
        nextNeed.remove(top);
        continue;
      }
      nextNeed.set(top, i + 1);
      TaskName need = needs.get(i);
      Integer seen = state.get(need);
      if (seen == null) {
        state.put(need, ON_PATH);
        path.add(need);
        nextNeed.add(0);
      } else if (seen == ON_PATH) {
        List<TaskName> cycle = new ArrayList<>(path.subList(path.indexOf(need), path.size()));
        cycle.add(need);
        return cycle;
      }
    }
    return null;
  }
}
