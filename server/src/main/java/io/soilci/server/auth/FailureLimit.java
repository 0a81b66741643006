package io.soilci.server.auth;

import io.soilci.result.Printable;
import io.soilci.server.http.HttpError;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts failed logins per key (a client address, a worker name) in fixed windows; past {@code max}
 * failures in a window the key is refused with 429 until the window ends. Bounded: at most {@code
 * MAX_KEYS} keys are tracked, the oldest windows go first.
 */
final class FailureLimit {
  private static final int MAX_KEYS = 100_000;

  private final String what;
  private final int max;
  private final long windowNanos;
  private final LongSupplier nanos;
  private final Map<String, Window> windows = new HashMap<>();

  private static final class Window {
    final long start;
    int failures;

    Window(long start) {
      this.start = start;
    }
  }

  /** {@code what} names the key in the message, e.g. {@code "from address"}. */
  FailureLimit(String what, int max, long windowSeconds, LongSupplier nanos) {
    this.what = what;
    this.max = max;
    this.windowNanos = windowSeconds * 1_000_000_000L;
    this.nanos = nanos;
  }

  /** 429 with {@code Retry-After} if {@code key} failed {@code max} times in this window. */
  synchronized void requireAllowed(String key) {
    long now = nanos.getAsLong();
    Window w = windows.get(key);
    if (w == null || now - w.start >= windowNanos || w.failures < max) {
      return;
    }
    long retry = Math.max(1, (w.start + windowNanos - now + 999_999_999L) / 1_000_000_000L);
    throw HttpError.tooManyFailures(
        "too many failed logins "
            + what
            + " '"
            + Printable.of(key)
            + "' ("
            + w.failures
            + " in "
            + windowNanos / 1_000_000_000L
            + " s); retry in "
            + retry
            + " seconds with a valid token",
        retry);
  }

  synchronized void failed(String key) {
    long now = nanos.getAsLong();
    Window w = windows.get(key);
    if (w == null || now - w.start >= windowNanos) {
      if (windows.size() >= MAX_KEYS) {
        windows.values().removeIf(old -> now - old.start >= windowNanos);
        if (windows.size() >= MAX_KEYS) {
          windows.clear();
        }
      }
      w = new Window(now);
      windows.put(key, w);
    }
    w.failures++;
  }
}
