package io.soilci.server.site;

import io.soilci.files.AtomicFiles;
import io.soilci.result.SiteLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The stylesheet and script every page links, copied from the classpath into {@code web/}. */
final class SiteAssets {
  static final List<String> FILES = List.of("site.css", "site.js", "log.js");

  private SiteAssets() {}

  /** Writes each asset whose bytes differ from the file's. */
  static void write(Path root) throws IOException {
    for (String name : FILES) {
      byte[] bytes = read(name);
      Path target = new SiteLayout(root).path(SiteLayout.asset(name));
      if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), bytes)) {
        AtomicFiles.write(target, bytes);
      }
    }
  }

  static byte[] read(String name) throws IOException {
    String resource = "io/soilci/web/static/" + name;
    try (InputStream in =
        Objects.requireNonNull(
            SiteAssets.class.getClassLoader().getResourceAsStream(resource),
            "missing resource " + resource)) {
      return in.readAllBytes();
    }
  }
}
