package io.soilci.server.wwz;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.Printable;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WwzPath;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.logview.LogIndexStore;
import io.soilci.server.logview.LogSearch;
import io.soilci.server.logview.LogSource;
import io.soilci.server.logview.LogTask;
import io.soilci.server.logview.LogView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * {@code …/JOB.wwz/_tmp/soil/logs/TASK.txt?view}: the task's log as a page, with the task's row
 * from the zip's {@code INDEX.tsv} and the commit from {@code JOB.json} beside the zip.
 */
final class LogViewEntry {
  /** The page's policy: {@link LogView#POLICY}. */
  static final String POLICY = LogView.POLICY;

  /** Searches of whole logs at once (each may read a 200 MB log for seconds); past it 503. */
  static final int SEARCHES_AT_ONCE = 2;

  /** The most time one search takes; then it answers with what it found. */
  static final long SEARCH_NANOS = 10_000_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final LogView view;
  private final Semaphore searches = new Semaphore(SEARCHES_AT_ONCE);

  LogViewEntry(Path root, LogIndexStore index) {
    this.root = root;
    this.view = new LogView(index);
  }

  /** True if {@code entry} is a task log, the only entries that have a view. */
  static boolean isTaskLog(String entry) {
    return entry.startsWith(WwzPath.LOGS_DIR)
        && entry.endsWith(".txt")
        && entry.indexOf('/', WwzPath.LOGS_DIR.length()) < 0;
  }

  String render(ZipCache.OpenZip zip, String zipPath, ZipArchiveEntry entry, Optional<String> from)
      throws IOException {
    String name = entry.getName();
    String taskName = name.substring(WwzPath.LOGS_DIR.length(), name.length() - 4);
    String[] segments = zipPath.split("/", -1);
    String job = segments[segments.length - 1].replaceFirst("\\.wwz$", "");
    LogTask task =
        new LogTask(
            segments[0],
            segments.length > 1 ? segments[segments.length - 2] : "",
            job,
            taskName,
            row(zip, taskName),
            commit(zipPath));
    LogSource source =
        new LogSource() {
          @Override
          public InputStream open() throws IOException {
            return bounded(zip, entry);
          }

          @Override
          public long size() {
            return Math.max(0, entry.getSize());
          }

          @Override
          public boolean compressed() {
            return entry.getMethod() != ZipEntry.STORED;
          }
        };
    String depth = "../".repeat((int) (zipPath + "/" + name).chars().filter(c -> c == '/').count());
    return view.render(task, zip.key + "!" + name, source, from, depth);
  }

  /**
   * {@code ?search=TEXT[&case=1][&regex=1]}: the lines of the whole log that hold the text, as
   * {@code {"query", "lines", "more", "timedOut", "searched"}}.
   */
  String search(ZipCache.OpenZip zip, ZipArchiveEntry entry, Query query) throws IOException {
    LogSearch.Query search =
        new LogSearch.Query(query.require("search"), flag(query, "case"), flag(query, "regex"));
    if (!searches.tryAcquire()) {
      throw HttpError.busy(
          SEARCHES_AT_ONCE + " log searches are running, the most at once; retry in 5 seconds", 5);
    }
    LogSearch.Result result;
    try {
      result = LogSearch.search(() -> bounded(zip, entry), search, SEARCH_NANOS);
    } finally {
      searches.release();
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("query", search.text());
    json.put("lines", result.lines());
    json.put("more", result.more());
    json.put("timedOut", result.timedOut());
    json.put("searched", result.searched());
    return JSON.writeValueAsString(json);
  }

  private static boolean flag(Query query, String name) {
    Optional<String> value = query.optional(name);
    if (value.isPresent() && !value.get().equals("1") && !value.get().equals("0")) {
      throw new BadInput(
          name + " '" + Printable.of(value.get()) + "' must be 1 (on) or 0 (off, the default)");
    }
    return value.filter("1"::equals).isPresent();
  }

  private static InputStream bounded(ZipCache.OpenZip zip, ZipArchiveEntry entry)
      throws IOException {
    return BoundedInputStream.builder()
        .setInputStream(zip.zip.getInputStream(entry))
        .setMaxCount(Math.max(0, entry.getSize()))
        .get();
  }

  /** The task's row in the zip's INDEX.tsv; none when the zip has no (readable) table. */
  private static Optional<TaskRow> row(ZipCache.OpenZip zip, String task) {
    ZipArchiveEntry index = zip.zip.getEntry(WwzPath.INDEX_TSV);
    if (index == null || index.getSize() > TaskRows.MAX_BYTES) {
      return Optional.empty();
    }
    try (InputStream in = zip.zip.getInputStream(index)) {
      List<TaskRow> rows = TaskRows.read(in, WwzPath.INDEX_TSV);
      return rows.stream().filter(r -> r.name().value().equals(task)).findFirst();
    } catch (IOException | BadInput e) {
      return Optional.empty();
    }
  }

  /** The commit in {@code JOB.json} beside the zip, if there and readable. */
  private Optional<String> commit(String zipPath) {
    Path json = root.resolve(zipPath.replaceFirst("\\.wwz$", ".json"));
    try {
      JobMeta meta = JobMetaCodec.read(json, zipPath);
      return meta.commit().filter(c -> c.matches("[0-9a-fA-F]{4,64}"));
    } catch (IOException | BadInput e) {
      return Optional.empty();
    }
  }
}
