package io.soilci.server.logview;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Finds the lines of a whole log that hold a text, in one streaming pass, bounded: at most {@value
 * #MAX_MATCHES} line numbers (then "more"), at most {@code budgetNanos} of time (then "timed out",
 * with the lines found so far), the first {@value LogScan#KEPT_LINE_BYTES} bytes of each line
 * searched, in the text a reader sees (colours and escapes removed). Memory: one line and one read
 * buffer, whatever the log's size.
 */
public final class LogSearch {
  public static final int MAX_MATCHES = 1000;
  public static final int MAX_QUERY_CHARS = 200;

  /** What to look for: literal text unless {@code regex}, case-insensitive unless asked. */
  public record Query(String text, boolean matchCase, boolean regex) {
    public Query {
      if (text.isEmpty()) {
        throw new BadInput("search '' must not be empty: give the text to find, e.g. search=error");
      }
      if (text.length() > MAX_QUERY_CHARS) {
        throw new BadInput(
            "search of "
                + text.length()
                + " characters is over the limit of "
                + MAX_QUERY_CHARS
                + "; search for a shorter part of the line");
      }
      if (regex) {
        try {
          Pattern.compile(text);
        } catch (PatternSyntaxException e) {
          throw new BadInput(
              "search '"
                  + Printable.of(text)
                  + "' is not a valid regular expression ("
                  + e.getDescription()
                  + " near index "
                  + e.getIndex()
                  + "); leave out regex=1 to search for the text as it is");
        }
      }
    }

    Pattern pattern() {
      int flags = matchCase ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
      return Pattern.compile(regex ? text : Pattern.quote(text), flags);
    }
  }

  /**
   * What a search found.
   *
   * @param lines the matching line numbers, ascending, at most {@value #MAX_MATCHES}
   * @param more true if the search stopped early: more lines match, or the time ran out
   * @param timedOut true if the time ran out before the end of the log
   * @param searched lines searched
   */
  public record Result(List<Long> lines, boolean more, boolean timedOut, long searched) {
    public Result {
      lines = List.copyOf(lines);
    }
  }

  /** The log's bytes from its first, opened for one search. */
  @FunctionalInterface
  public interface Input {
    InputStream open() throws IOException;
  }

  private LogSearch() {}

  public static Result search(Input source, Query query, long budgetNanos) throws IOException {
    long deadline = System.nanoTime() + budgetNanos;
    Matcher matcher = Matcher.of(query, deadline);
    List<Long> found = new ArrayList<>();
    long n = 0;
    try (InputStream in = source.open()) {
      LineReader reader = new LineReader(in, LogScan.KEPT_LINE_BYTES);
      while (reader.next()) {
        n++;
        if ((n & 1023) == 0 && System.nanoTime() > deadline) {
          return new Result(found, true, true, n - 1);
        }
        try {
          if (!matcher.matches(reader.bytes(), reader.kept())) {
            continue;
          }
        } catch (Deadline e) {
          return new Result(found, true, true, n - 1);
        }
        if (found.size() == MAX_MATCHES) {
          return new Result(found, true, false, n - 1);
        }
        found.add(n);
      }
    }
    return new Result(found, false, false, n);
  }

  /** Thrown from inside a regular expression's match when the time is up. */
  private static final class Deadline extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Deadline() {
      super("search time is up", null, false, false);
    }
  }

  /** Matches one line's kept bytes. */
  private interface Matcher {
    boolean matches(byte[] bytes, int length);

    static Matcher of(Query query, long deadline) {
      boolean ascii = query.text().chars().allMatch(c -> c >= 0x20 && c < 0x7f);
      if (!query.regex() && ascii) {
        return new AsciiLiteral(query.text(), query.matchCase(), query.pattern());
      }
      Pattern pattern = query.pattern();
      return (bytes, length) -> pattern.matcher(new Timed(text(bytes, length), deadline)).find();
    }
  }

  /** The text of a line as a reader sees it. */
  static String text(byte[] bytes, int length) {
    String line = new String(bytes, 0, length, StandardCharsets.UTF_8);
    return line.indexOf('\u001b') >= 0 ? AnsiHtml.plain(line) : line;
  }

  /**
   * Printable ASCII text, literal: compared byte by byte (ASCII case folded), the common case and
   * fast; a line with an escape sequence is decoded and cleaned first, as a reader sees it.
   */
  private static final class AsciiLiteral implements Matcher {
    private final byte[] needle;
    private final boolean matchCase;
    private final Pattern pattern;

    AsciiLiteral(String text, boolean matchCase, Pattern pattern) {
      String folded = matchCase ? text : text.toLowerCase(Locale.ROOT);
      this.needle = folded.getBytes(StandardCharsets.US_ASCII);
      this.matchCase = matchCase;
      this.pattern = pattern;
    }

    @Override
    public boolean matches(byte[] bytes, int length) {
      for (int i = 0; i < length; i++) {
        byte b = bytes[i];
        if (b == 0x1b || b < 0) {
          // Escapes, or non-ASCII whose case folding is Unicode's: decode it.
          return pattern.matcher(text(bytes, length)).find();
        }
      }
      int last = length - needle.length;
      for (int i = 0; i <= last; i++) {
        int j = 0;
        while (j < needle.length && fold(bytes[i + j]) == needle[j]) {
          j++;
        }
        if (j == needle.length) {
          return true;
        }
      }
      return false;
    }

    private byte fold(byte b) {
      return !matchCase && b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
  }

  /** A line's text that stops a runaway regular expression when the search's time is up. */
  private static final class Timed implements CharSequence {
    private final String text;
    private final long deadline;
    private int reads;

    Timed(String text, long deadline) {
      this.text = text;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 4095) == 0 && System.nanoTime() > deadline) {
        throw new Deadline();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Timed(text.substring(start, end), deadline);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
