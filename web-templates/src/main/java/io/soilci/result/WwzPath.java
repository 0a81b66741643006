package io.soilci.result;

import java.util.regex.Pattern;

/** Paths inside a job's wwz: the fixed layout, and the rule every entry name must follow. */
public final class WwzPath {
  /** The task table inside the wwz. */
  public static final String INDEX_TSV = "_tmp/soil/INDEX.tsv";

  /** The folder holding one {@code TASK.txt} log per task. */
  public static final String LOGS_DIR = "_tmp/soil/logs/";

  /** The folder holding the metadata {@code .txt} files. */
  public static final String META_DIR = "_tmp/soil/";

  private static final Pattern SEGMENT = Pattern.compile("[^/\\\\\\x00-\\x1f\\x7f]{1,255}");
  private static final int MAX_LENGTH = 1024;

  private WwzPath() {}

  public static String logOf(TaskName task) {
    return LOGS_DIR + task.value() + ".txt";
  }

  /**
   * Checks a relative path inside a zip: no leading '/', no '..' or '.' segments, no backslash, no
   * control characters, at most 1024 characters. A trailing '/' (a folder) is allowed.
   */
  public static String require(String what, String path) {
    String rule =
        "must be a relative path of at most "
            + MAX_LENGTH
            + " characters with no '..', '.', empty segment, backslash or control character";
    if (path.isEmpty() || path.length() > MAX_LENGTH) {
      throw new BadInput(what + " '" + Printable.of(path) + "' " + rule);
    }
    String body = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (String segment : body.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || !SEGMENT.matcher(segment).matches()) {
        throw new BadInput(what + " '" + Printable.of(path) + "' " + rule);
      }
    }
    return path;
  }
}
