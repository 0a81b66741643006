package io.soilci.worker.provider;

import io.soilci.threads.Daemons;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;

/**
 * Drains a child's stderr on a thread and keeps its last few non-empty lines for an error message;
 * a line {@code consumer} takes (returns true for) is not kept.
 */
final class StderrTail {
  private static final int LINES = 5;

  private final Thread thread;
  private final Deque<String> lines = new ArrayDeque<>();

  private StderrTail(InputStream in, Predicate<String> consumer) {
    this.thread = Daemons.of("soil-stderr", () -> drain(in, consumer));
  }

  static StderrTail start(InputStream in) {
    return start(in, line -> false);
  }

  static StderrTail start(InputStream in, Predicate<String> consumer) {
    StderrTail tail = new StderrTail(in, consumer);
    tail.thread.start();
    return tail;
  }

  private void drain(InputStream in, Predicate<String> consumer) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank() && !consumer.test(line)) {
          remember(line.strip());
        }
      }
    } catch (IOException e) {
      remember("reading its stderr failed: " + e.getMessage());
    }
  }

  /** Keeps {@code line} (cut to 300 characters) as the latest; the worker's own notes too. */
  void remember(String line) {
    synchronized (lines) {
      if (lines.size() == LINES) {
        lines.removeFirst();
      }
      lines.addLast(line.length() > 300 ? line.substring(0, 300) + "..." : line);
    }
  }

  /** The last line, once the stream has ended (or after 2 s). */
  String lastLine() {
    awaitEnd();
    synchronized (lines) {
      return lines.isEmpty() ? "no message" : lines.getLast();
    }
  }

  /** The last few lines on one line, once the stream has ended (or after 2 s). */
  String lastLines() {
    awaitEnd();
    synchronized (lines) {
      return lines.isEmpty() ? "no message" : String.join(" / ", lines);
    }
  }

  private void awaitEnd() {
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
