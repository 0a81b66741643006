package io.soilci.server.wwz;

import java.util.Locale;
import java.util.Map;

/** The Content-Type of a file by its extension; unknown ones are plain UTF-8 text. */
public final class ContentTypes {
  public static final String DEFAULT = "text/plain; charset=utf-8";

  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("htm", "text/html; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("png", "image/png"),
          Map.entry("gif", "image/gif"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("tar", "application/x-tar"),
          Map.entry("gz", "application/gzip"),
          Map.entry("zip", "application/zip"),
          Map.entry("wwz", "application/zip"),
          Map.entry("pdf", "application/pdf"),
          Map.entry("xml", "application/xml"),
          Map.entry("txt", DEFAULT),
          Map.entry("tsv", DEFAULT),
          Map.entry("csv", DEFAULT));

  private ContentTypes() {}

  public static String of(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    if (dot <= slash + 1) {
      return DEFAULT;
    }
    return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
  }
}
