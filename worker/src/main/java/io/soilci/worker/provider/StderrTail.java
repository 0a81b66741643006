package io.soilci.worker.provider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Drains a child's stderr on a thread and keeps its last non-empty line for an error message. */
final class StderrTail {
  private final Thread thread;
  private volatile String last = "(no message)";

  private StderrTail(InputStream in) {
    this.thread = new Thread(() -> drain(in), "soil-stderr");
    thread.setDaemon(true);
  }

  static StderrTail start(InputStream in) {
    StderrTail tail = new StderrTail(in);
    tail.thread.start();
    return tail;
  }

  private void drain(InputStream in) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          last = line.length() > 300 ? line.substring(0, 300) + "..." : line.strip();
        }
      }
    } catch (IOException e) {
      last = "reading its stderr failed: " + e.getMessage();
    }
  }

  /** The last line, once the stream has ended (or after 2 s). */
  String lastLine() {
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return last;
  }
}
