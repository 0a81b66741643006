package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A worker's credential, {@code NAME:SECRET} as {@code soil-server add-worker} prints it. Read from
 * the host's environment or a file, never from the command line; {@link #toString} hides the
 * secret.
 */
public record Token(String name, String secret) {
  /** The environment variable that holds a token. */
  public static final String ENV = "SOIL_TOKEN";

  public Token {
    if (name.isEmpty() || secret.isEmpty() || name.contains(":")) {
      throw new BadInput("worker token must look like NAME:SECRET (as printed by add-worker)");
    }
  }

  /** Parses {@code NAME:SECRET}; {@code source} says where it came from, for the message. */
  public static Token parse(String text, String source) {
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1 || trimmed.contains("\n")) {
      throw new BadInput(
          "worker token in " + source + " must be one line NAME:SECRET (as printed by add-worker)");
    }
    return new Token(trimmed.substring(0, colon), trimmed.substring(colon + 1));
  }

  /** The token from {@code file} when given, else from {@code SOIL_TOKEN} in {@code env}. */
  public static Token find(@Nullable Path file, Map<String, String> env) {
    if (file != null) {
      return parse(readFile(file), "--token-file " + file);
    }
    String value = env.get(ENV);
    if (value == null || value.isBlank()) {
      throw new BadInput(
          "no worker token: set "
              + ENV
              + "=NAME:SECRET in the environment or pass --token-file FILE"
              + " (soil-server add-worker NAME prints one)");
    }
    return parse(value, ENV);
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInput(
          "--token-file "
              + file
              + " does not exist; put the worker token NAME:SECRET that soil-server add-worker"
              + " printed there, or set "
              + ENV
              + " instead",
          e);
    } catch (IOException e) {
      throw new BadInput("--token-file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** The value of an {@code Authorization} header. */
  public String authorization() {
    byte[] pair = (name + ":" + secret).getBytes(StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair);
  }

  @Override
  public String toString() {
    return name + ":****";
  }
}
