package io.soilci.worker.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A workspace as its JSON file describes it: the repositories to check out, the setup script run
 * once inside the workspace, the container image it runs in (none for the local provider) and the
 * environment of the setup script and the job.
 */
public record WorkspaceConfig(
    @JsonProperty("name") String name,
    @JsonProperty("repositories") List<Repository> repositories,
    @JsonProperty("setup_script") String setupScript,
    @JsonProperty("image") @Nullable String image,
    @JsonProperty("env") Map<String, String> env) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
  private static final Pattern IMAGE = Pattern.compile("[a-z0-9][A-Za-z0-9._:/@-]{0,254}");

  public WorkspaceConfig {
    name = requireName(name);
    repositories = requireRepositories(repositories);
    requireDistinctPaths(repositories);
    setupScript = setupScript == null ? "" : setupScript;
    image = image == null ? null : requireImage(image);
    env = requireEnv(env == null ? Map.of() : env);
  }

  private static String requireName(@Nullable String name) {
    if (name == null) {
      throw new BadInput("'name' is missing: give the workspace a name, e.g. \"oils-dev\"");
    }
    if (!NAME.matcher(name).matches()) {
      throw new BadInput(
          "name '"
              + Printable.of(name)
              + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  private static List<Repository> requireRepositories(@Nullable List<Repository> repositories) {
    if (repositories == null) {
      return List.of();
    }
    if (repositories.stream().anyMatch(java.util.Objects::isNull)) {
      throw new BadInput("repositories must hold objects, found null");
    }
    return List.copyOf(repositories);
  }

  private static void requireDistinctPaths(List<Repository> repositories) {
    Set<String> seen = new HashSet<>();
    for (Repository repository : repositories) {
      if (repository.path().equals(Repository.ROOT) && !seen.isEmpty()) {
        throw new BadInput(
            "repository with path '.' must come first: it is cloned into the workspace's folder"
                + " before the others go inside it");
      }
      for (String other : seen) {
        if (nested(repository.path(), other) || nested(other, repository.path())) {
          throw new BadInput(
              "repositories' paths '"
                  + other
                  + "' and '"
                  + repository.path()
                  + "' overlap: give each repository its own folder");
        }
      }
      seen.add(repository.path());
    }
  }

  /** Whether {@code inner} is {@code outer} or inside it; any folder may hold a clone in ".". */
  private static boolean nested(String inner, String outer) {
    if (inner.equals(Repository.ROOT) || outer.equals(Repository.ROOT)) {
      return inner.equals(outer);
    }
    return inner.equals(outer) || inner.startsWith(outer + "/");
  }

  private static String requireImage(String image) {
    if (!IMAGE.matcher(image).matches()) {
      throw new BadInput(
          "image '"
              + Printable.of(image)
              + "' must be an image reference such as 'docker.io/library/debian:bookworm'");
    }
    return image;
  }

  private static Map<String, String> requireEnv(Map<String, String> env) {
    for (Map.Entry<String, String> entry : env.entrySet()) {
      String key = entry.getKey();
      if (entry.getValue() == null) {
        throw new BadInput("env " + Printable.of(key) + " must be a string, found null");
      }
      if (!ENV_NAME.matcher(key).matches()) {
        throw new BadInput(
            "env name '"
                + Printable.of(key)
                + "' must be letters, digits or '_', not starting with a digit");
      }
    }
    return java.util.Collections.unmodifiableMap(new TreeMap<>(env));
  }
}
