package io.soilci.server.logview;

import java.util.List;
import java.util.Optional;

/**
 * What a reader of a failed log wants first: the first lines that look like errors (with a little
 * context), the last command of a shell trace, and the last lines before the end.
 *
 * @param blocks runs of consecutive lines around the first errors, in log order
 * @param lastCommand the last {@code set -x} trace line ({@code + cmd}), if the log has one
 * @param tail the last lines of the log
 * @param lines how many lines the log has
 */
public record Excerpt(List<Block> blocks, Optional<Line> lastCommand, List<Line> tail, long lines) {
  public Excerpt {
    blocks = List.copyOf(blocks);
    tail = List.copyOf(tail);
  }

  /** One line of the log: its number (from 1) and its text as logged (escapes kept). */
  public record Line(long number, String text) {}

  /** Lines around an error; {@code tool} says which pattern matched the first of them. */
  public record Block(String tool, long errorLine, List<Line> lines) {
    public Block {
      lines = List.copyOf(lines);
    }
  }

  /** The few lines the run page shows under a failed task: the first error, else the end. */
  public List<Line> brief(int max) {
    if (!blocks.isEmpty()) {
      Block first = blocks.get(0);
      return first.lines().stream()
          .filter(l -> l.number() >= first.errorLine())
          .limit(max)
          .toList();
    }
    return tail.subList(Math.max(0, tail.size() - max), tail.size());
  }
}
