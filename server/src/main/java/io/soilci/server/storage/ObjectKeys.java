package io.soilci.server.storage;

import io.soilci.files.AtomicFiles;
import io.soilci.result.Printable;
import java.util.regex.Pattern;

/**
 * The rule for object keys: site paths such as {@code github-jobs/4101/cpp.wwz}, made of {@code
 * /}-separated segments of letters, digits, {@code .}, {@code _} and {@code -}; never {@code .} or
 * {@code ..}, never a temp file's name, never absolute, never an empty segment. Every key the
 * server makes comes from {@link io.soilci.result.SiteLayout}, so a bad key is a programmer error.
 */
public final class ObjectKeys {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private static final int MAX_KEY = 1024;

  private ObjectKeys() {}

  /** {@code key} when it is a valid key; else an {@link IllegalArgumentException} naming it. */
  public static String require(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY) {
      throw bad("key", key, "must be 1-" + MAX_KEY + " characters");
    }
    checkSegments("key", key, key.split("/", -1));
    return key;
  }

  /** True when {@code key} is a valid key (a folder's temp files and stray names are not). */
  public static boolean isValid(String key) {
    try {
      require(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * {@code prefix} when it is a valid start of keys: empty (every key), whole segments each
   * followed by {@code /} ({@code github-jobs/4101/}), or those and the start of a last segment
   * ({@code github-jobs/41}).
   */
  public static String requirePrefix(String prefix) {
    if (prefix.isEmpty()) {
      return prefix;
    }
    if (prefix.length() > MAX_KEY) {
      throw bad("prefix", prefix, "must be at most " + MAX_KEY + " characters");
    }
    String whole = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    checkSegments("prefix", prefix, whole.split("/", -1));
    return prefix;
  }

  private static void checkSegments(String what, String value, String[] segments) {
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw bad(what, value, "must not start with '/' or hold an empty segment ('//')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw bad(what, value, "must not hold a '.' or '..' segment");
      }
      if (segment.startsWith(AtomicFiles.TEMP_PREFIX)) {
        throw bad(what, value, "must not name a temp file ('" + AtomicFiles.TEMP_PREFIX + "*')");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw bad(
            what,
            value,
            "must be '/'-separated segments of 1-255 letters, digits, '.', '_' or '-'");
      }
    }
  }

  private static IllegalArgumentException bad(String what, String value, String rule) {
    return new IllegalArgumentException(
        "object " + what + " '" + Printable.of(value) + "' " + rule);
  }
}
