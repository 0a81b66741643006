package io.soilci.worker.publish;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A job's live delivery (events and live log) as the server's refusal of the token ends it: the
 * first 401/403 either of them gets is said once, naming where the token came from, and neither
 * sends anything more for the job (every later request with the token would be refused too). The
 * job goes on; its upload reports the refusal again.
 */
final class TokenRefusal {
  private final AtomicBoolean refused = new AtomicBoolean();
  private final PrintWriter warnings;

  TokenRefusal(PrintWriter warnings) {
    this.warnings = warnings;
  }

  /** True once the server refused the token for this job's live delivery. */
  boolean refused() {
    return refused.get();
  }

  /** The server refused the token ({@code failure}: its one line); said only the first time. */
  void refuse(String failure) {
    if (refused.compareAndSet(false, true)) {
      synchronized (warnings) {
        warnings.println(
            "soil-worker: " + failure + "; no more live events or live log for this job");
        warnings.flush();
      }
    }
  }
}
