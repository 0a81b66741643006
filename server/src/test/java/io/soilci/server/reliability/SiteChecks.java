package io.soilci.server.reliability;

import io.soilci.files.AtomicFiles;
import io.soilci.server.testing.SiteTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What must hold of a site folder at rest: no temp files, every local link resolvable, the same
 * files as a {@code regen} of it.
 */
public final class SiteChecks {
  private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");

  private SiteChecks() {}

  static List<Path> tempFiles(Path site) throws IOException {
    try (Stream<Path> files = Files.walk(site)) {
      return files.filter(AtomicFiles::isTemp).toList();
    }
  }

  static List<Path> htmlPages(Path site) throws IOException {
    try (Stream<Path> files = Files.walk(site)) {
      return files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
  }

  /** Every local link of every HTML page under the site, as URL paths (no query or fragment). */
  static Set<String> localLinks(Path site) throws IOException {
    Set<String> links = new TreeSet<>();
    for (Path page : htmlPages(site)) {
      String html = Files.readString(page, StandardCharsets.UTF_8);
      URI base = URI.create("http://site/" + site.relativize(page).toString().replace('\\', '/'));
      Matcher m = LINK.matcher(html);
      while (m.find()) {
        String href = m.group(1).replace("&amp;", "&");
        if (href.isEmpty() || href.startsWith("#") || href.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
          continue;
        }
        URI resolved = base.resolve(URI.create(href.replace(" ", "%20")));
        links.add(resolved.getRawPath());
      }
    }
    return links;
  }

  /**
   * The files that differ between {@code site} and a {@code regen} of a copy of it: the copy is
   * made at {@code copy} (the files' times kept), and {@code regen} runs there as a process of the
   * server's jar with {@code jvm} options, {@code state} as its state folder and its output in
   * {@code log}.
   */
  static List<String> differencesFromRegen(
      Path site, Path copy, Path state, Path log, List<String> jvm)
      throws IOException, InterruptedException {
    try (Stream<Path> files = Files.walk(site)) {
      for (Path from : files.toList()) {
        Path to = copy.resolve(site.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    int exit =
        ServerProcess.run(
            log, jvm, "regen", "--site", copy.toString(), "--state", state.toString());
    if (exit != 0) {
      throw new AssertionError(
          "regen exited with " + exit + ": " + Files.readString(log, StandardCharsets.UTF_8));
    }
    return differences(site, copy);
  }

  /**
   * Relative paths of files that differ (or exist on one side only) between two trees, temp files
   * aside ({@link #tempFiles} finds those).
   */
  public static List<String> differences(Path a, Path b) throws IOException {
    Set<String> paths = new TreeSet<>(files(a));
    paths.addAll(files(b));
    List<String> differ = new ArrayList<>();
    for (String path : paths) {
      Path fa = a.resolve(path);
      Path fb = b.resolve(path);
      if (!Files.isRegularFile(fa)
          || !Files.isRegularFile(fb)
          || !Arrays.equals(Files.readAllBytes(fa), Files.readAllBytes(fb))) {
        differ.add(path);
      }
    }
    return differ;
  }

  private static List<String> files(Path root) throws IOException {
    return SiteTrees.files(root).stream().filter(p -> !AtomicFiles.isTemp(Path.of(p))).toList();
  }
}
