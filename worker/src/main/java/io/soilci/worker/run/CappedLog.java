package io.soilci.worker.run;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A task's log file that keeps at most {@code cap} bytes of output: past the cap it writes one
 * marker line and discards the rest, so the task keeps running and its status is unchanged.
 */
final class CappedLog extends OutputStream {
  private final OutputStream out;
  private final long cap;
  private long written;
  private long discarded;

  private CappedLog(OutputStream out, long cap) {
    this.out = out;
    this.cap = cap;
  }

  /** Creates (or empties) {@code file}. */
  static CappedLog create(Path file, long cap) throws IOException {
    return new CappedLog(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024), cap);
  }

  /** The line that replaces whatever a task printed past the cap. */
  static String marker(long cap) {
    return "\n[soil-worker: log cut at "
        + cap
        + " bytes (--log-cap); the task's further output was discarded]\n";
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    long room = cap - written;
    int kept = (int) Math.min(room, len);
    if (kept > 0) {
      out.write(bytes, off, kept);
      written += kept;
    }
    if (kept < len) {
      if (discarded == 0) {
        out.write(marker(cap).getBytes(StandardCharsets.UTF_8));
      }
      discarded += len - kept;
    }
  }

  /** Appends the worker's own note (never cut), e.g. why the task has no status. */
  void note(String line) throws IOException {
    out.write(("\n[soil-worker: " + line + "]\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Bytes of output that were past the cap. */
  long discarded() {
    return discarded;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
