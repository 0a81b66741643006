package io.soilci.worker.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes sure the job's image is present (pulls it when missing) and times that as Soil does, in
 * {@code time -p} form: {@code real N\nuser N\nsys N}.
 */
final class ImagePull {
  private static final long TIMEOUT_MINUTES = 30;

  /** Inspects, pulls if missing, then prints the children's CPU times (POSIX {@code times}). */
  private static final String SCRIPT =
      "\"$0\" image inspect \"$1\" >/dev/null 2>&1 || \"$0\" pull \"$1\" >&2 || exit; times";

  private static final Pattern TIMES =
      Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s\\s*$");

  private ImagePull() {}

  /** Returns the {@code image-pull-time} text; throws {@link ProviderFailure} on failure. */
  static String prepare(Path cli, String image, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(List.of("sh", "-c", SCRIPT, cli.toString(), image))
            .redirectError(ProcessBuilder.Redirect.PIPE);
    builder.environment().clear();
    builder.environment().putAll(env);
    long start = System.nanoTime();
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      StderrTail errors = StderrTail.start(process.getErrorStream());
      String out = readAll(process.getInputStream());
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new ProviderFailure(
            "pulling image '" + image + "' took over " + TIMEOUT_MINUTES + " minutes; try again");
      }
      double real = (System.nanoTime() - start) / 1e9;
      if (process.exitValue() != 0) {
        throw new ProviderFailure(
            "image '"
                + image
                + "' is not available: '"
                + cli.getFileName()
                + " pull' failed with exit status "
                + process.exitValue()
                + " ("
                + errors.lastLine()
                + "); fix --image, pull or build the image, or check that "
                + cli.getFileName()
                + " works");
      }
      return format(real, out);
    } catch (IOException e) {
      throw new ProviderFailure("cannot run " + cli + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderFailure("interrupted while pulling image '" + image + "'", e);
    }
  }

  /** {@code time -p}'s text from wall seconds and the second line of {@code times}. */
  static String format(double real, String timesOutput) {
    String[] lines = timesOutput.strip().split("\n", -1);
    Matcher children = TIMES.matcher(lines[lines.length - 1]);
    double user = 0;
    double sys = 0;
    if (children.find()) {
      user = minutes(children.group(1), children.group(2));
      sys = minutes(children.group(3), children.group(4));
    }
    return String.format(Locale.ROOT, "real %.2f%nuser %.2f%nsys %.2f", real, user, sys)
        .replace(System.lineSeparator(), "\n");
  }

  private static double minutes(String minutes, String seconds) {
    return Long.parseLong(minutes) * 60 + Double.parseDouble(seconds);
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
  }
}
