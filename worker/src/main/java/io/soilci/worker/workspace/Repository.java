package io.soilci.worker.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One repository of a workspace: where it comes from, where it goes inside the workspace and which
 * ref (branch, tag or commit) to check out. The URL never carries a password or token: the host's
 * credentials are given to git at clone time instead.
 */
public record Repository(
    @JsonProperty("url") String url,
    @JsonProperty("path") String path,
    @JsonProperty("ref") String ref) {
  private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._+-]{1,100}");
  private static final Pattern REF = Pattern.compile("[A-Za-z0-9._/+-]{1,200}");
  // http(s) user info is a token in all but name; elsewhere (ssh://git@host) only a password is.
  private static final Pattern SECRET_IN_URL =
      Pattern.compile("^(?i:https?://[^/@]+@|[a-z][a-z0-9+.-]*://[^/@]*:[^/@]*@)");

  /** The path of a repository that is the workspace's folder itself. */
  public static final String ROOT = ".";

  /** The ref checked out when a repository names none. */
  public static final String DEFAULT_REF = "HEAD";

  public Repository {
    url = requireUrl(url);
    path = requirePath(path);
    ref = requireRef(ref == null ? DEFAULT_REF : ref);
  }

  private static String requireUrl(@Nullable String url) {
    if (url == null || url.isBlank()) {
      throw new BadInput("'url' is missing: give the repository's clone URL");
    }
    if (url.startsWith("-") || url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      throw new BadInput("url '" + Printable.of(url) + "' must not start with '-' or hold spaces");
    }
    if (SECRET_IN_URL.matcher(url).find()) {
      throw new BadInput(
          "url '"
              + Printable.of(url.replaceAll("//[^/@]*@", "//***@"))
              + "' must not hold a password or token: put it in the host's SOIL_GIT_TOKEN");
    }
    return url;
  }

  private static String requirePath(@Nullable String path) {
    if (path == null) {
      throw new BadInput("'path' is missing: give the folder inside the workspace, e.g. \"src\"");
    }
    if (path.equals(ROOT)) {
      return path;
    }
    String[] segments = path.split("/", -1);
    for (String segment : segments) {
      if (segment.equals("..") || segment.equals(".") || !PATH_SEGMENT.matcher(segment).matches()) {
        throw new BadInput(
            "path '"
                + Printable.of(path)
                + "' must be '.' or relative, without '..' or '.', of segments of letters, digits,"
                + " '.', '_', '+' or '-'");
      }
    }
    return path;
  }

  private static String requireRef(String ref) {
    if (!REF.matcher(ref).matches() || ref.startsWith("-") || ref.contains("..")) {
      throw new BadInput(
          "ref '"
              + Printable.of(ref)
              + "' must be a branch, tag or commit: letters, digits, '.', '_', '/', '+' or '-',"
              + " not starting with '-', without '..'");
    }
    return ref;
  }
}
