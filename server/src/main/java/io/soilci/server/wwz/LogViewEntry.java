package io.soilci.server.wwz;

import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.WwzPath;
import io.soilci.server.logview.LogIndexStore;
import io.soilci.server.logview.LogSource;
import io.soilci.server.logview.LogTask;
import io.soilci.server.logview.LogView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * {@code …/JOB.wwz/_tmp/soil/logs/TASK.txt?view}: the task's log as a page, with the task's row
 * from the zip's {@code INDEX.tsv} and the commit from {@code JOB.json} beside the zip.
 */
final class LogViewEntry {
  /**
   * The page's policy: its own script and stylesheet only (inline colours as style attributes,
   * built from numbers), no plugins, frames or forms elsewhere; nothing from the log can run.
   */
  static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline';"
          + " img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none';"
          + " frame-ancestors 'none'";

  private final Path root;
  private final LogView view;

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
