package io.soilci.server.logview;

import io.soilci.result.ExitStatus;
import io.soilci.web.Templates;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The log view of a running task, served at {@code /live/HOST-jobs/RUN/JOB/TASK.txt?view}: the
 * whole lines the server keeps, numbered from where they are in the log, rendered as the finished
 * log's view renders them; with JS it follows the task's event stream from the page's last byte.
 */
public final class LiveLogView {
  private LiveLogView() {}

  /**
   * The page.
   *
   * @param task whose log; its row is empty while it runs
   * @param firstLine the number of the first line in {@code bytes}
   * @param bytes whole lines of the log
   * @param end the offset just past {@code bytes}, where the stream takes over
   * @param ended the task's status once it ended
   * @param root the relative path from the page's URL to the site root
   */
  public static String render(
      LogTask task, long firstLine, byte[] bytes, long end, OptionalInt ended, String root) {
    LogLines html = LiveLogHtml.read(firstLine, bytes, task.task() + ".txt");
    long lines = firstLine + html.size() - 1;
    String tail = task.hostFolder() + "/" + task.run() + "/" + task.job() + "/" + task.task();
    Map<String, Object> m = new HashMap<>();
    m.put("root", root);
    m.put("title", task.task() + " \u00b7 " + task.job() + " \u00b7 run " + task.run() + " (live)");
    m.put("host", task.hostFolder());
    m.put("run", task.run());
    m.put("job", task.job());
    m.put("task", task.task());
    m.put("state", ended.isPresent() ? (ended.getAsInt() == 0 ? "pass" : "fail") : "running");
    m.put("statusText", ended.isPresent() ? ExitStatus.describe(ended.getAsInt(), 0) : "running");
    m.put("elapsed", "");
    m.put("runHref", root + task.hostFolder() + "/" + task.run() + "/index.html#job-" + task.job());
    m.put("commitHref", "");
    m.put("commit", "");
    m.put("rawHref", task.task() + ".txt");
    m.put("lines", html.html());
    m.put("total", String.format("%,d", lines));
    m.put("windowed", false);
    m.put("failed", false);
    m.put("blocks", List.of());
    m.put("lastCommand", List.of());
    m.put("tail", List.of());
    m.put("endHref", "");
    m.put("live", true);
    m.put("dropped", firstLine > 1 ? String.format("%,d", firstLine - 1) : "");
    m.put("ended", ended.isPresent());
    m.put("streamHref", root + "live/events?format=html&tail=" + tail + "@" + end);
    return Templates.shared().render("log-view", m);
  }
}
