package io.soilci.server.config;

/**
 * What a slow or hostile client may hold of the server: how long a connection may stay silent, how
 * slowly a body may arrive, how many upload permits one worker may take, how many failed logins an
 * address or a worker name may make, how many requests wait while the server starts.
 *
 * @param idleTimeoutSeconds a connection with no byte in or out for this long is closed
 * @param requestParseTimeoutSeconds the request line and headers must arrive within this
 * @param readTimeoutSeconds a body read that gets no byte for this long fails (408)
 * @param writeTimeoutSeconds a response write that makes no progress for this long closes
 * @param minBodyBytesPerSecond an upload body slower than this over a window is cut (408)
 * @param bodyRateWindowSeconds the window {@code minBodyBytesPerSecond} is measured over
 * @param maxUploadsPerWorker upload permits (of {@code limits.maxUploadsInFlight}) one worker holds
 * @param loginFailuresPerAddress failed logins from one address per window before 429
 * @param loginFailuresPerName failed logins for one worker name per window before 429
 * @param loginFailureWindowSeconds the window of both login-failure limits
 * @param maxWaitingAtStart requests held while the server starts (its index loads); more get 503
 */
public record Guards(
    int idleTimeoutSeconds,
    int requestParseTimeoutSeconds,
    int readTimeoutSeconds,
    int writeTimeoutSeconds,
    int minBodyBytesPerSecond,
    int bodyRateWindowSeconds,
    int maxUploadsPerWorker,
    int loginFailuresPerAddress,
    int loginFailuresPerName,
    int loginFailureWindowSeconds,
    int maxWaitingAtStart) {

  public static final Guards DEFAULTS = new Guards(120, 30, 60, 60, 1024, 30, 4, 20, 100, 60, 1000);

  public Guards {
    positive("idleTimeoutSeconds", idleTimeoutSeconds);
    positive("requestParseTimeoutSeconds", requestParseTimeoutSeconds);
    positive("readTimeoutSeconds", readTimeoutSeconds);
    positive("writeTimeoutSeconds", writeTimeoutSeconds);
    positive("minBodyBytesPerSecond", minBodyBytesPerSecond);
    positive("bodyRateWindowSeconds", bodyRateWindowSeconds);
    positive("maxUploadsPerWorker", maxUploadsPerWorker);
    positive("loginFailuresPerAddress", loginFailuresPerAddress);
    positive("loginFailuresPerName", loginFailuresPerName);
    positive("loginFailureWindowSeconds", loginFailureWindowSeconds);
    positive("maxWaitingAtStart", maxWaitingAtStart);
  }

  /** These guards with {@code value} as {@link #maxWaitingAtStart}. */
  public Guards withMaxWaitingAtStart(int value) {
    return new Guards(
        idleTimeoutSeconds,
        requestParseTimeoutSeconds,
        readTimeoutSeconds,
        writeTimeoutSeconds,
        minBodyBytesPerSecond,
        bodyRateWindowSeconds,
        maxUploadsPerWorker,
        loginFailuresPerAddress,
        loginFailuresPerName,
        loginFailureWindowSeconds,
        value);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1: " + value);
    }
  }
}
