package io.soilci.worker.workspace;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The worker's own environment and the three environments made from it: host tools (podman, cp) get
 * it without the git credentials, host git gets the credentials as configuration in its environment
 * (never in a file or URL), a local setup script gets only a few harmless variables and the
 * workspace's own {@code env}.
 */
final class HostEnvironment {
  /** A token for https remotes, sent as {@code Authorization: Basic x-access-token:TOKEN}. */
  static final String GIT_TOKEN = "SOIL_GIT_TOKEN";

  /** A private key file for ssh remotes. */
  static final String GIT_SSH_KEY = "SOIL_GIT_SSH_KEY";

  /** A known_hosts file for ssh remotes (else ssh's own; unknown hosts are refused). */
  static final String GIT_SSH_KNOWN_HOSTS = "SOIL_GIT_SSH_KNOWN_HOSTS";

  private static final List<String> PASSED_TO_SETUP =
      List.of("PATH", "HOME", "USER", "LANG", "TMPDIR");

  private final Map<String, String> env;

  HostEnvironment(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Nullable String get(String name) {
    return env.get(name);
  }

  /** For host tools such as podman and cp: everything but the git credentials. */
  Map<String, String> forTools() {
    Map<String, String> out = new LinkedHashMap<>(env);
    out.remove(GIT_TOKEN);
    out.remove(GIT_SSH_KEY);
    out.remove(GIT_SSH_KNOWN_HOSTS);
    return out;
  }

  /** For git fetching {@code url}: the credentials given as configuration scoped to that URL. */
  Map<String, String> forGit(String url) {
    Map<String, String> out = forTools();
    out.put("GIT_TERMINAL_PROMPT", "0");
    out.keySet().removeIf(name -> name.startsWith("GIT_CONFIG_") || name.equals("GIT_DIR"));
    String token = env.get(GIT_TOKEN);
    if (token != null && !token.isEmpty()) {
      String basic =
          Base64.getEncoder()
              .encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
      out.put("GIT_CONFIG_COUNT", "1");
      out.put("GIT_CONFIG_KEY_0", "http." + url + ".extraHeader");
      out.put("GIT_CONFIG_VALUE_0", "Authorization: Basic " + basic);
    }
    String ssh = sshCommand();
    if (ssh != null) {
      out.put("GIT_SSH_COMMAND", ssh);
    }
    return out;
  }

  /** ssh with the host's key and known hosts, never asking anything; null without either. */
  private @Nullable String sshCommand() {
    String key = env.get(GIT_SSH_KEY);
    String knownHosts = env.get(GIT_SSH_KNOWN_HOSTS);
    boolean hasKey = key != null && !key.isEmpty();
    boolean hasHosts = knownHosts != null && !knownHosts.isEmpty();
    if (!hasKey && !hasHosts) {
      return null;
    }
    StringBuilder ssh = new StringBuilder("ssh -o BatchMode=yes");
    if (hasKey) {
      ssh.append(" -i ").append(quoted(key)).append(" -o IdentitiesOnly=yes");
    }
    if (hasHosts) {
      ssh.append(" -o UserKnownHostsFile=").append(quoted(knownHosts));
      ssh.append(" -o StrictHostKeyChecking=yes");
    }
    return ssh.toString();
  }

  private static String quoted(@Nullable String word) {
    return "'" + String.valueOf(word).replace("'", "'\\''") + "'";
  }

  /**
   * For a setup script run on the host in {@code dir}: a few harmless variables and {@code own}.
   */
  Map<String, String> forSetup(Path dir, Map<String, String> own) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : PASSED_TO_SETUP) {
      String value = env.get(name);
      if (value != null) {
        out.put(name, value);
      }
    }
    out.putAll(own);
    out.put("SOIL_WORKSPACE", dir.toString());
    return out;
  }
}
