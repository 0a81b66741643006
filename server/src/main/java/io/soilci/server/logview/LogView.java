package io.soilci.server.logview;

import io.soilci.result.BadInput;
import io.soilci.result.Durations;
import io.soilci.result.ExitStatus;
import io.soilci.result.TaskRow;
import io.soilci.web.Templates;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The HTML view of one task log, served at {@code …/JOB.wwz/_tmp/soil/logs/TASK.txt?view}: a
 * header, the failure excerpt, one window of lines (the first unless {@code from} asks for another)
 * and, when that is not the end, the last lines. Its links are relative to that URL.
 */
public final class LogView {
  /**
   * The policy of every log view page: its own script and stylesheet only (inline colours as style
   * attributes, built from numbers), no plugins, frames or forms elsewhere; nothing from the log
   * can run.
   */
  public static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline';"
          + " img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none';"
          + " frame-ancestors 'none'";

  /** From the log's folder inside the wwz ({@code _tmp/soil/logs/}) to the run's folder. */
  private static final String TO_RUN = "../../../../";

  private final LogIndexStore index;

  public LogView(LogIndexStore index) {
    this.index = index;
  }

  /**
   * The page.
   *
   * @param from the {@code from} parameter: a line number whose window to show, if given
   * @param root the relative path from the view's URL to the site root
   */
  public String render(
      LogTask task, String key, LogSource source, Optional<String> from, String root)
      throws IOException {
    LogIndexStore.Indexed indexed = index.get(key, source);
    LogFacts facts = indexed.facts();
    int window = LogFacts.windowOf(line(from, facts));
    Set<Long> errors = errorLines(facts.excerpt());
    String rawHref = task.task() + ".txt";
    String lines = window(indexed.source(), facts, window, rawHref, errors);
    Map<String, Object> page = header(task, root);
    page.putAll(windowModel(facts, window, lines));
    page.putAll(excerptModel(facts, window, failed(task)));
    return Templates.shared().render("log-view", page);
  }

  /** The line asked for, 1 without {@code from}. */
  private static long line(Optional<String> from, LogFacts facts) {
    if (from.isEmpty()) {
      return 1;
    }
    String value = from.get();
    if (!value.matches("[1-9][0-9]{0,17}")) {
      throw new BadInput(
          "from '" + value + "' must be a line number: a whole number from 1, e.g. from=1001");
    }
    long n = Long.parseLong(value);
    if (n > Math.max(1, facts.lines())) {
      throw new BadInput(
          "from '" + value + "' is past the end of the log, which has " + facts.lines() + " lines");
    }
    return n;
  }

  private static boolean failed(LogTask task) {
    return task.row().map(r -> !r.passed()).orElse(false);
  }

  private static Set<Long> errorLines(Excerpt excerpt) {
    Set<Long> lines = new HashSet<>();
    excerpt.blocks().forEach(b -> lines.add(b.errorLine()));
    return lines;
  }

  /**
   * Reads window {@code w}: from its first byte (a seek in the log or its inflated copy) at most
   * {@value LogFacts#WINDOW} lines.
   */
  private static String window(
      LogSource source, LogFacts facts, int w, String rawHref, Set<Long> errors)
      throws IOException {
    LogLines html = new LogLines(rawHref, errors);
    try (InputStream in = source.openAt(facts.startOf(w))) {
      LineReader reader = new LineReader(in, LogScan.KEPT_LINE_BYTES);
      long n = LogFacts.firstLineOf(w);
      for (int i = 0; i < LogFacts.WINDOW && reader.next(); i++, n++) {
        html.add(n, reader.bytes(), reader.kept(), reader.length());
      }
    }
    return html.html();
  }

  private static Map<String, Object> header(LogTask task, String root) {
    Map<String, Object> m = new HashMap<>();
    Optional<TaskRow> row = task.row();
    m.put("root", root);
    m.put("title", task.task() + " \u00b7 " + task.job() + " \u00b7 run " + task.run());
    m.put("host", task.hostFolder());
    m.put("run", task.run());
    m.put("job", task.job());
    m.put("task", task.task());
    m.put("state", row.map(r -> r.passed() ? "pass" : "fail").orElse("unknown"));
    m.put(
        "statusText",
        row.map(r -> ExitStatus.describe(r.status(), r.elapsedSeconds())).orElse("unknown"));
    m.put("elapsed", row.map(r -> Durations.readable(r.elapsedSeconds())).orElse(""));
    m.put("runHref", TO_RUN + "index.html#job-" + task.job());
    m.put("commitHref", task.commit().map(c -> TO_RUN + "../commits/" + c + ".html").orElse(""));
    m.put("commit", task.commit().map(c -> c.substring(0, Math.min(8, c.length()))).orElse(""));
    m.put("rawHref", task.task() + ".txt");
    m.put("live", false);
    m.put("dropped", "");
    m.put("ended", true);
    m.put("streamHref", "");
    return m;
  }

  private static Map<String, Object> windowModel(LogFacts facts, int w, String lines) {
    int last = facts.windows() - 1;
    long first = LogFacts.firstLineOf(w);
    Map<String, Object> m = new HashMap<>();
    m.put("lines", lines);
    m.put("total", String.format("%,d", facts.lines()));
    m.put("from", String.format("%,d", facts.lines() == 0 ? 0 : first));
    m.put("to", String.format("%,d", Math.min(facts.lines(), first + LogFacts.WINDOW - 1)));
    m.put("windowed", last > 0);
    m.put("firstHref", w > 0 ? "?view" : "");
    m.put("prevHref", w > 0 ? windowHref(w - 1) : "");
    m.put("nextHref", w < last ? windowHref(w + 1) : "");
    m.put("lastHref", w < last ? windowHref(last) : "");
    return m;
  }

  private static String windowHref(int w) {
    return w == 0 ? "?view" : "?view&from=" + LogFacts.firstLineOf(w);
  }

  /** A link to line {@code n}: in the page when it is in window {@code w}, else to its window. */
  static String lineHref(long n, int w) {
    int of = LogFacts.windowOf(n);
    return (of == w ? "" : windowHref(of)) + "#L" + n;
  }

  private static Map<String, Object> excerptModel(LogFacts facts, int w, boolean failed) {
    Excerpt excerpt = facts.excerpt();
    List<Map<String, Object>> blocks = new ArrayList<>();
    if (failed) {
      for (Excerpt.Block b : excerpt.blocks()) {
        blocks.add(
            Map.of(
                "tool",
                b.tool(),
                "line",
                b.errorLine(),
                "href",
                lineHref(b.errorLine(), w),
                "lines",
                lines(b.lines(), w)));
      }
    }
    Map<String, Object> m = new HashMap<>();
    m.put("failed", failed);
    m.put("blocks", blocks);
    m.put(
        "lastCommand",
        excerpt.lastCommand().filter(c -> failed).map(c -> lines(List.of(c), w)).orElse(List.of()));
    boolean endShown = w == facts.windows() - 1;
    m.put("tail", endShown ? List.of() : lines(excerpt.tail(), w));
    OptionalLong endLine = excerpt.tail().stream().mapToLong(Excerpt.Line::number).max();
    m.put("endHref", endLine.isPresent() ? lineHref(endLine.getAsLong(), w) : "");
    return m;
  }

  private static List<Map<String, Object>> lines(List<Excerpt.Line> lines, int w) {
    List<Map<String, Object>> out = new ArrayList<>();
    Style style = new Style();
    for (Excerpt.Line l : lines) {
      StringBuilder html = new StringBuilder();
      AnsiHtml.append(l.text(), style, LogLines.MAX_LINE_CHARS, html);
      out.add(Map.of("n", l.number(), "href", lineHref(l.number(), w), "html", html.toString()));
    }
    return out;
  }
}
