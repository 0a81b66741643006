package io.soilci.server.wwz;

import io.soilci.server.http.Redirects;
import io.soilci.web.Templates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/** The {@code DIR/-wwz-index} page: the files and folders directly inside one folder of a zip. */
final class WwzListing {
  private WwzListing() {}

  /**
   * The children of {@code dir} ({@code ""} or ending in '/') among {@code names}; empty when the
   * folder does not exist.
   */
  static Map<String, Long> children(ZipCache.OpenZip zip, String dir) {
    Map<String, Long> children = new LinkedHashMap<>();
    for (String name : zip.names()) {
      if (!name.startsWith(dir) || name.length() == dir.length()) {
        continue;
      }
      String rest = name.substring(dir.length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        children.putIfAbsent(rest.substring(0, slash + 1), -1L);
      } else {
        ZipArchiveEntry entry = zip.zip.getEntry(name);
        children.put(rest, entry == null ? -1L : entry.getSize());
      }
    }
    return children;
  }

  static String render(String title, boolean hasParent, Map<String, Long> children) {
    List<Map<String, Object>> entries = new ArrayList<>();
    children.forEach(
        (name, size) ->
            entries.add(
                Map.of(
                    "name",
                    name,
                    "href",
                    href(name),
                    "size",
                    size < 0 ? "" : Long.toString(size))));
    return Templates.shared()
        .render("wwz-listing", Map.of("title", title, "hasParent", hasParent, "entries", entries));
  }

  /** A relative link that cannot become a scheme: {@code ./NAME}, folders to their listing. */
  private static String href(String name) {
    boolean folder = name.endsWith("/");
    String bare = folder ? name.substring(0, name.length() - 1) : name;
    return "./" + Redirects.encoded(bare) + (folder ? "/-wwz-index" : "");
  }
}
