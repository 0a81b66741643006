package io.soilci.worker.workspace;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * What makes two prepared workspaces interchangeable: the provider, each repository's URL, path and
 * ref NAME (not its commit: a moved ref is fetched and checked out in the cached state, never
 * re-cloned), the setup script, the image and the env. Any change to these is a new entry.
 */
final class CacheKey {
  private static final int HEX_CHARS = 16;

  private CacheKey() {}

  static String of(WorkspaceConfig config, String provider) {
    StringBuilder text = new StringBuilder();
    field(text, "provider", provider);
    field(text, "name", config.name());
    for (Repository repository : config.repositories()) {
      field(text, "url", repository.url());
      field(text, "path", repository.path());
      field(text, "ref", repository.ref());
    }
    field(text, "setup_script", config.setupScript());
    field(text, "image", config.image() == null ? "" : config.image());
    for (Map.Entry<String, String> entry : config.env().entrySet()) {
      field(text, "env", entry.getKey() + "=" + entry.getValue());
    }
    return sha256(text.toString()).substring(0, HEX_CHARS);
  }

  /** Each field length-prefixed, so that no two different configs give the same text. */
  private static void field(StringBuilder text, String name, String value) {
    text.append(name).append(' ').append(value.length()).append(':').append(value).append('\n');
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
