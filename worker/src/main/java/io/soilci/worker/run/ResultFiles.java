package io.soilci.worker.run;

import io.soilci.result.WwzPath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which files of the checkout go into the wwz: the job's own files, and for each task's declared
 * result page the folder that holds it, bounded in files and bytes. Symlinks are never followed, so
 * nothing outside the checkout gets in.
 */
final class ResultFiles {
  static final int MAX_FILES = 20_000;

  private final Path checkout;
  private final long maxBytes;
  private final List<Path> excluded;
  private final PrintWriter warnings;
  private final Map<String, WwzEntry> entries = new LinkedHashMap<>();
  private long resultBytes;
  private int resultFiles;
  private boolean warned;

  /**
   * @param maxBytes the most bytes of result files taken over all tasks
   * @param excluded folders never taken (the job's own {@code _tmp/soil}, the output folder)
   */
  ResultFiles(Path checkout, long maxBytes, List<Path> excluded, PrintWriter warnings) {
    this.checkout = checkout;
    this.maxBytes = maxBytes;
    this.excluded = List.copyOf(excluded);
    this.warnings = warnings;
  }

  /** Adds one of the job's own files under its path relative to the checkout. */
  void addOwn(Path file) {
    String name = nameOf(file);
    entries.put(name, new WwzEntry(name, file));
  }

  /** Adds the folder holding {@code resultPath} when that file exists. */
  void addResultFolder(String resultPath) throws IOException {
    Path page = checkout.resolve(resultPath);
    if (!Files.isRegularFile(page, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path parent = page.getParent();
    Path folder = parent == null || parent.equals(checkout) ? page : parent;
    if (folder.equals(checkout) || isExcluded(folder)) {
      addFile(page);
      return;
    }
    Files.walkFileTree(
        folder,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return isExcluded(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            return attrs.isRegularFile() && !addFile(file)
                ? FileVisitResult.TERMINATE
                : FileVisitResult.CONTINUE;
          }
        });
  }

  /** Adds a test report (a file of the checkout), within the bounds of result files. */
  void addReport(Path report) {
    addFile(report);
  }

  /** Adds a result file if within the bounds; false once a bound is reached. */
  private boolean addFile(Path file) {
    String name = nameOf(file);
    if (entries.containsKey(name)) {
      return true;
    }
    long size;
    try {
      size = Files.size(file);
      WwzPath.require("result file", name);
    } catch (IOException | RuntimeException e) {
      warn("skipped result file " + name + ": " + e.getMessage());
      return true;
    }
    if (resultFiles + 1 > MAX_FILES || resultBytes + size > maxBytes) {
      warn(
          "results are capped at "
              + MAX_FILES
              + " files and "
              + maxBytes
              + " bytes (--max-results); "
              + name
              + " and what follows were left out");
      return false;
    }
    resultFiles++;
    resultBytes += size;
    entries.put(name, new WwzEntry(name, file));
    return true;
  }

  private boolean isExcluded(Path dir) {
    return excluded.stream().anyMatch(dir::startsWith);
  }

  private String nameOf(Path file) {
    return checkout.relativize(file).toString().replace('\\', '/');
  }

  private void warn(String message) {
    if (!warned) {
      warned = true;
      warnings.println("soil-worker: " + message);
      warnings.flush();
    }
  }

  List<WwzEntry> entries() {
    return new ArrayList<>(entries.values());
  }
}
