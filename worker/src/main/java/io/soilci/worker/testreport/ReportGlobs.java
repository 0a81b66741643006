package io.soilci.worker.testreport;

import io.soilci.result.BadInput;
import io.soilci.result.TaskName;
import io.soilci.result.TestTable;
import io.soilci.result.WwzPath;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Each task's test report globs, from {@code --test-reports TASK=GLOB} values (repeatable, several
 * per task): Java's glob syntax, relative to the checkout, e.g. {@code
 * target/surefire-reports/TEST-*.xml} or {@code build/**}{@code /*.tap}.
 */
public final class ReportGlobs {
  /** The most report files one task may declare. */
  public static final int MAX_PER_TASK = 1000;

  private static final String RULE =
      "must be TASK=GLOB, GLOB relative to the checkout (no leading '/', no '..'), e.g."
          + " unit=target/surefire-reports/*.xml";

  private final Map<String, List<Glob>> byTask;

  private ReportGlobs(Map<String, List<Glob>> byTask) {
    this.byTask = byTask;
  }

  /** A glob as given and its matcher. */
  private record Glob(String text, PathMatcher matcher) {}

  /** Parses {@code values} for a job whose tasks are named {@code tasks}. */
  public static ReportGlobs parse(List<String> values, Set<String> tasks) {
    Map<String, List<Glob>> byTask = new LinkedHashMap<>();
    for (String value : values) {
      int eq = value.indexOf('=');
      if (eq <= 0 || eq == value.length() - 1) {
        throw new BadInput("--test-reports '" + value + "' " + RULE);
      }
      String task = value.substring(0, eq);
      String glob = value.substring(eq + 1);
      if (!tasks.contains(task)) {
        throw new BadInput(
            "--test-reports '"
                + value
                + "' names task '"
                + task
                + "', which the job does not have");
      }
      if (glob.startsWith("/") || List.of(glob.split("/", -1)).contains("..")) {
        throw new BadInput("--test-reports '" + value + "' " + RULE);
      }
      PathMatcher matcher;
      try {
        matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      } catch (PatternSyntaxException e) {
        throw new BadInput(
            "--test-reports '" + value + "': the glob is not valid: " + e.getDescription(), e);
      }
      byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(new Glob(glob, matcher));
    }
    return new ReportGlobs(byTask);
  }

  /** True when no task declared reports. */
  public boolean isEmpty() {
    return byTask.isEmpty();
  }

  /**
   * The report files of each task that declared some, sorted by path: regular files of {@code
   * checkout} (symlinks never followed, {@code .git} and {@code excluded} folders never entered)
   * that a glob of the task matches and that were modified at or after {@code since}, so a report
   * left by an earlier job is not taken for this one's. At most {@link #MAX_PER_TASK} a task and
   * {@link TestTable#MAX_REPORTS} a job; what is left out is said on {@code warnings}.
   */
  public Map<TaskName, List<Path>> find(
      Path checkout, List<Path> excluded, FileTime since, java.io.PrintWriter warnings)
      throws IOException {
    Map<String, List<Path>> found = new LinkedHashMap<>();
    Map<String, Integer> older = new LinkedHashMap<>();
    byTask.keySet().forEach(task -> found.put(task, new ArrayList<>()));
    Files.walkFileTree(
        checkout,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            boolean skip =
                excluded.stream().anyMatch(dir::startsWith)
                    || (!dir.equals(checkout) && dir.getFileName().toString().equals(".git"));
            return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (!attrs.isRegularFile()) {
              return FileVisitResult.CONTINUE;
            }
            Path relative = checkout.relativize(file);
            byTask.forEach(
                (task, globs) -> {
                  if (globs.stream().anyMatch(g -> g.matcher().matches(relative))) {
                    if (attrs.lastModifiedTime().compareTo(since) < 0) {
                      older.merge(task, 1, Integer::sum);
                    } else {
                      found.computeIfAbsent(task, t -> new ArrayList<>()).add(file);
                    }
                  }
                });
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    older.forEach(
        (task, count) ->
            warn(
                warnings,
                "task "
                    + task
                    + ": "
                    + count
                    + " test report(s) matching "
                    + globsOf(task)
                    + " are older than the job and were not read"));
    Map<TaskName, List<Path>> result = new LinkedHashMap<>();
    int total = 0;
    for (Map.Entry<String, List<Path>> entry : found.entrySet()) {
      String task = entry.getKey();
      List<Path> files = new ArrayList<>();
      for (Path file : entry.getValue().stream().sorted(Comparator.naturalOrder()).toList()) {
        String name = checkout.relativize(file).toString();
        try {
          WwzPath.require("test report", name);
        } catch (BadInput e) {
          warn(warnings, "task " + task + ": " + e.getMessage() + "; not read");
          continue;
        }
        if (files.size() == MAX_PER_TASK || total == TestTable.MAX_REPORTS) {
          warn(
              warnings,
              "task "
                  + task
                  + ": more than "
                  + (files.size() == MAX_PER_TASK
                      ? MAX_PER_TASK + " test reports for one task"
                      : TestTable.MAX_REPORTS + " test reports for the job")
                  + " match; "
                  + name
                  + " and the rest were not read");
          break;
        }
        files.add(file);
        total++;
      }
      if (files.isEmpty() && !older.containsKey(task)) {
        warn(warnings, "task " + task + ": no test report matches " + globsOf(task));
      }
      result.put(new TaskName(task), List.copyOf(files));
    }
    return result;
  }

  private String globsOf(String task) {
    return byTask.getOrDefault(task, List.of()).stream()
        .map(g -> "'" + g.text() + "'")
        .toList()
        .toString();
  }

  private static void warn(java.io.PrintWriter warnings, String message) {
    warnings.println("soil-worker: " + message);
    warnings.flush();
  }
}
