package io.soilci.server.logview;

import io.soilci.result.ExitStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines of a log as HTML: each a {@code div} with the anchor {@code L<n>} and a number that links
 * to it; sections ({@code ::group::}/{@code ::endgroup::}, {@code ##[group]}) as {@code <details>},
 * folded when long and free of errors; the worker's own marker lines set apart and explained.
 */
final class LogLines {
  /** Characters of one line shown; the rest is left to the raw log. */
  static final int MAX_LINE_CHARS = 4000;

  private static final int FOLD_OVER = 10;
  private static final Pattern GROUP = Pattern.compile("^(?:::group::|##\\[group\\])(.*)$");
  private static final Pattern END_GROUP = Pattern.compile("^(?:::endgroup::|##\\[endgroup\\])");
  private static final String MARKER = "[soil-worker: ";

  private record Line(long number, String html, String plain, long bytes) {}

  private final String rawHref;
  private final Set<Long> errorLines;
  private final Style style = new Style();
  private final List<Line> lines = new ArrayList<>();

  /**
   * @param rawHref the raw log, linked from a line too long to show whole
   * @param errorLines lines the error finder flagged: marked, and their sections stay open
   */
  LogLines(String rawHref, Set<Long> errorLines) {
    this.rawHref = rawHref;
    this.errorLines = Set.copyOf(errorLines);
  }

  /** Adds line {@code number}: its kept bytes and its full length. */
  void add(long number, byte[] bytes, int kept, long length) {
    String text = new String(bytes, 0, kept, java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder html = new StringBuilder();
    boolean cut = AnsiHtml.append(text, style, MAX_LINE_CHARS, html);
    if (cut || kept < length) {
      html.append("<span class=\"cut\">\u2026 line cut, ")
          .append(String.format("%,d", length))
          .append(" bytes in all: <a href=\"")
          .append(rawHref)
          .append("\">raw log</a></span>");
    }
    lines.add(new Line(number, html.toString(), AnsiHtml.plain(text), length));
  }

  /** The HTML of every line added, sections folded. */
  /** How many lines were added. */
  int size() {
    return lines.size();
  }

  String html() {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      Matcher group = GROUP.matcher(line.plain());
      if (group.find()) {
        int end = endOf(i);
        boolean open = end - i <= FOLD_OVER || hasError(i, end);
        out.append(open ? "<details class=\"sec\" open>" : "<details class=\"sec\">")
            .append("<summary>");
        line(out, line, "sec-head");
        out.append("</summary>");
        depth++;
      } else if (depth > 0 && END_GROUP.matcher(line.plain()).find()) {
        line(out, line, "sec-end");
        out.append("</details>");
        depth--;
      } else {
        line(out, line, line.plain().startsWith(MARKER) ? "marker" : "");
      }
    }
    out.append("</details>".repeat(depth));
    return out.toString();
  }

  /** The index of the line that ends the section opened at {@code start} (or the last line). */
  private int endOf(int start) {
    int depth = 0;
    for (int i = start; i < lines.size(); i++) {
      String plain = lines.get(i).plain();
      if (GROUP.matcher(plain).find()) {
        depth++;
      } else if (END_GROUP.matcher(plain).find() && --depth == 0) {
        return i;
      }
    }
    return lines.size() - 1;
  }

  private boolean hasError(int from, int to) {
    for (int i = from; i <= to; i++) {
      if (errorLines.contains(lines.get(i).number())) {
        return true;
      }
    }
    return false;
  }

  private void line(StringBuilder out, Line line, String kind) {
    long n = line.number();
    String classes = errorLines.contains(n) ? (kind + " err").trim() : kind;
    out.append("<div id=\"L").append(n).append('"');
    if (!classes.isEmpty()) {
      out.append(" class=\"").append(classes).append('"');
    }
    out.append("><a class=\"n\" href=\"#L").append(n).append("\" data-n=\"").append(n);
    out.append("\"></a><span class=\"t\">").append(line.html());
    Optional<String> cap = ExitStatus.capMarker(line.plain());
    cap.ifPresent(why -> out.append(" <b class=\"why\">").append(why).append("</b>"));
    out.append("</span></div>");
  }
}
