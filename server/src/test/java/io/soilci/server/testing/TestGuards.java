package io.soilci.server.testing;

import io.soilci.server.config.Guards;

/** The default guards with the timeouts and failed-login limits a test tightens. */
public final class TestGuards {
  private TestGuards() {}

  /**
   * {@link Guards#DEFAULTS} but for these: the request head's and a body read's timeouts, the body
   * rate's window, and the failed logins allowed per address and per worker name in 60 s.
   */
  public static Guards of(
      int parseTimeoutSeconds,
      int readTimeoutSeconds,
      int rateWindowSeconds,
      int loginFailuresPerAddress,
      int loginFailuresPerName) {
    Guards d = Guards.DEFAULTS;
    return new Guards(
        d.idleTimeoutSeconds(),
        parseTimeoutSeconds,
        readTimeoutSeconds,
        d.writeTimeoutSeconds(),
        d.minBodyBytesPerSecond(),
        rateWindowSeconds,
        d.maxUploadsPerWorker(),
        loginFailuresPerAddress,
        loginFailuresPerName,
        60,
        d.maxWaitingAtStart());
  }

  /** {@link Guards#DEFAULTS} but for the failed logins allowed per address and per name. */
  public static Guards loginFailures(int perAddress, int perName) {
    Guards d = Guards.DEFAULTS;
    return of(
        d.requestParseTimeoutSeconds(),
        d.readTimeoutSeconds(),
        d.bodyRateWindowSeconds(),
        perAddress,
        perName);
  }
}
