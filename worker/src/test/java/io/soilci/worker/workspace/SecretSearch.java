package io.soilci.worker.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds the files under a tree whose bytes hold a secret, as it is or base64-encoded. */
final class SecretSearch {
  private SecretSearch() {}

  static List<Path> filesHolding(Path root, String secret) throws IOException {
    List<String> forms =
        List.of(
            secret,
            Base64.getEncoder()
                .encodeToString(("x-access-token:" + secret).getBytes(StandardCharsets.UTF_8)));
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(file -> holds(file, forms))
          .collect(Collectors.toList());
    }
  }

  /** Whether {@code text} holds the secret in any of its forms. */
  static boolean holds(String text, String secret) {
    return text.contains(secret)
        || text.contains(
            Base64.getEncoder()
                .encodeToString(("x-access-token:" + secret).getBytes(StandardCharsets.UTF_8)));
  }

  private static boolean holds(Path file, List<String> forms) {
    try {
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      return forms.stream().anyMatch(bytes::contains);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
