package io.soilci.server.logview;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a log line by line (any size, once, in bounded memory) and keeps its {@link Excerpt}: the
 * first {@value #MAX_BLOCKS} errors with {@value #BEFORE} lines before and {@value #AFTER} after,
 * the last {@code set -x} command and the last {@value #TAIL} lines.
 */
public final class ErrorFinder {
  static final int MAX_BLOCKS = 3;
  static final int BEFORE = 2;
  static final int AFTER = 6;
  static final int TAIL = 10;
  private static final int MAX_KEPT_CHARS = 2000;
  private static final Pattern TRACE = Pattern.compile("^\\++ \\S");

  private final List<ErrorPattern> patterns;
  private final Matcher[] matchers;
  private final List<Excerpt.Block> blocks = new ArrayList<>();
  private final Deque<Excerpt.Line> recent = new ArrayDeque<>();
  private Excerpt.@Nullable Line lastCommand;
  private @Nullable String blockTool;
  private long blockError;
  private final List<Excerpt.Line> block = new ArrayList<>();
  private int afterLeft;
  private long lines;

  public ErrorFinder(ErrorPatterns patterns) {
    this.patterns = patterns.patterns();
    this.matchers = new Matcher[this.patterns.size()];
    for (int i = 0; i < matchers.length; i++) {
      matchers[i] = this.patterns.get(i).regex().matcher("");
    }
  }

  /** The first pattern {@code plain} matches, if any (one matcher per pattern, reused). */
  private @Nullable ErrorPattern first(String plain) {
    for (int i = 0; i < matchers.length; i++) {
      if (patterns.get(i).matches(matchers[i], plain)) {
        return patterns.get(i);
      }
    }
    return null;
  }

  /** Line {@code n} as an excerpt keeps it: its first {@value #MAX_KEPT_CHARS} characters. */
  static Excerpt.Line kept(long n, String text) {
    return new Excerpt.Line(
        n, text.length() > MAX_KEPT_CHARS ? text.substring(0, MAX_KEPT_CHARS) : text);
  }

  /** Whether {@code text} (a line as logged) is a shell trace's command ({@code + cmd}). */
  static boolean isCommand(String text) {
    return TRACE.matcher(AnsiHtml.plain(kept(0, text).text())).find();
  }

  /** The next line (its text as logged, without the newline; a long line may come cut). */
  public void line(String text) {
    lines++;
    Excerpt.Line line = kept(lines, text);
    String plain = AnsiHtml.plain(line.text());
    if (TRACE.matcher(plain).find()) {
      lastCommand = line;
    }
    if (blocks.size() < MAX_BLOCKS) {
      find(line, plain);
    }
    recent.addLast(line);
    if (recent.size() > Math.max(TAIL, BEFORE)) {
      recent.removeFirst();
    }
  }

  private void find(Excerpt.Line line, String plain) {
    if (afterLeft > 0) {
      block.add(line);
      afterLeft--;
      if (first(plain) != null) {
        afterLeft = AFTER;
      }
      if (afterLeft == 0 || block.size() >= 3 * AFTER) {
        closeBlock();
      }
      return;
    }
    ErrorPattern match = plain.isBlank() ? null : first(plain);
    if (match != null) {
      recent.stream().skip(Math.max(0, recent.size() - BEFORE)).forEach(block::add);
      block.add(line);
      blockTool = match.tool();
      blockError = line.number();
      afterLeft = AFTER;
    }
  }

  private void closeBlock() {
    if (blockTool != null) {
      blocks.add(new Excerpt.Block(blockTool, blockError, block));
    }
    block.clear();
    blockTool = null;
    afterLeft = 0;
  }

  /** The excerpt of every line read so far. */
  public Excerpt excerpt() {
    List<Excerpt.Block> all = new ArrayList<>(blocks);
    if (blockTool != null) {
      all.add(new Excerpt.Block(blockTool, blockError, block));
    }
    List<Excerpt.Line> tail = new ArrayList<>(recent);
    tail = tail.subList(Math.max(0, tail.size() - TAIL), tail.size());
    return new Excerpt(all, Optional.ofNullable(lastCommand), tail, lines);
  }
}
