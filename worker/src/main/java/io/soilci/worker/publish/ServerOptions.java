package io.soilci.worker.publish;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the server is and how to prove who we are: {@code --server}, {@code --token-file} (or
 * {@code SOIL_TOKEN} in the environment; never a secret on the command line).
 */
final class ServerOptions {
  /** A day: longer than any CI job waits, short enough to count in nanoseconds. */
  static final long MAX_RETRY_SECONDS = 86_400;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "The Soil server's base URL, e.g. https://soil.example.org/. run-job asks it first"
              + " whether the token may publish the job: a refused token (401/403) stops the job"
              + " before its tasks (exit 2); a server it cannot reach does not.")
  @Nullable String server;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the worker token NAME:SECRET. Default: the SOIL_TOKEN environment"
              + " variable. Never pass a secret on the command line.")
  @Nullable Path tokenFile;

  @Option(
      names = "--retry-for",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "Keep retrying a request on connection errors and 5xx answers for at most this long"
              + " (exponential back-off with jitter; honours Retry-After). Default: ${DEFAULT-VALUE}.")
  long retryForSeconds;

  /**
   * True when a token is there to read: {@code --token-file} was given, or {@code SOIL_TOKEN} is
   * set and not blank (CI hosts set secrets to the empty string where they are withheld).
   */
  public boolean hasToken(Map<String, String> env) {
    String value = env.get(Token.ENV);
    return tokenFile != null || (value != null && !value.isBlank());
  }

  /** Where the token comes from, as a person would fix it: {@code --token-file F} or SOIL_TOKEN. */
  String tokenSource() {
    return tokenFile != null ? "--token-file " + tokenFile : Token.ENV;
  }

  /** True when {@code --server} was given. */
  public boolean given() {
    return server != null;
  }

  /**
   * The server client; {@code --server} and a token are required here. Retried attempts are
   * reported to {@code warnings}.
   */
  public SoilServer connect(Map<String, String> env, PrintWriter warnings) {
    if (server == null) {
      throw new io.soilci.result.BadInput("--server URL is required");
    }
    return new SoilServer(
        ServerUri.parse(server), Token.find(tokenFile, env), Duration.ofSeconds(10), warnings);
  }

  public RetryPolicy retry() {
    if (retryForSeconds < 0 || retryForSeconds > MAX_RETRY_SECONDS) {
      throw new io.soilci.result.BadInput(
          "--retry-for "
              + retryForSeconds
              + " must be 0-"
              + MAX_RETRY_SECONDS
              + " (seconds of retrying a request)");
    }
    return RetryPolicy.upTo(Duration.ofSeconds(retryForSeconds));
  }
}
