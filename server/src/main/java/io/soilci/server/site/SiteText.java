package io.soilci.server.site;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How pages print times, links and commit hashes. */
final class SiteText {
  private static final DateTimeFormatter SHORT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private SiteText() {}

  /** {@code 2026-11-20T10:00:00Z}, or empty for 0 (unknown). */
  static String iso(long epochSeconds) {
    return !shown(epochSeconds) ? "" : Instant.ofEpochSecond(epochSeconds).toString();
  }

  /** {@code 2026-11-20 10:00} in UTC, or empty for 0 (unknown). */
  static String shortTime(long epochSeconds) {
    return !shown(epochSeconds) ? "" : SHORT.format(Instant.ofEpochSecond(epochSeconds));
  }

  /**
   * Stored times are checked at upload; one beyond what {@link Instant} holds prints as unknown.
   */
  private static boolean shown(long epochSeconds) {
    return epochSeconds > 0 && epochSeconds <= Instant.MAX.getEpochSecond();
  }

  /**
   * {@code url} when it is an http(s) URL, else empty: a stored URL becomes a link, and a {@code
   * javascript:} one must not (escaping alone does not stop it).
   */
  static String httpUrl(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    boolean web = lower.startsWith("https://") || lower.startsWith("http://");
    return web && url.chars().noneMatch(c -> c <= ' ') ? url : "";
  }

  /** The first 8 characters of a commit hash. */
  static String shortHash(String commit) {
    return commit.length() > 8 ? commit.substring(0, 8) : commit;
  }
}
