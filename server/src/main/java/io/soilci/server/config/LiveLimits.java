package io.soilci.server.config;

/**
 * What the event streams of live logs and pages ({@code GET /live/events}) may hold.
 *
 * @param maxStreams streams open at once on the server; past it 503
 * @param maxStreamsPerAddress streams open at once from one client address; past it 503
 * @param heartbeatSeconds a comment line goes to a quiet stream this often, so proxies keep it
 */
public record LiveLimits(int maxStreams, int maxStreamsPerAddress, int heartbeatSeconds) {
  public static final LiveLimits DEFAULTS = new LiveLimits(2000, 16, 15);

  public LiveLimits {
    if (maxStreams < 1 || maxStreamsPerAddress < 1 || heartbeatSeconds < 1) {
      throw new IllegalArgumentException(
          "live limits must be >= 1: "
              + maxStreams
              + ", "
              + maxStreamsPerAddress
              + ", "
              + heartbeatSeconds);
    }
  }
}
