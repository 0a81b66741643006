package io.soilci.worker.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which of the worker's environment variables tasks see. Local tasks get the worker's environment
 * without credentials; a container gets only the variables the job names.
 */
public final class TaskEnvironment {
  /** Names that hold credentials: never given to a task unless the job names them. */
  private static final Pattern CREDENTIAL =
      Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY).*");

  private TaskEnvironment() {}

  /** True for a name like {@code SOIL_TOKEN}, {@code GITHUB_TOKEN}, {@code AWS_SECRET_KEY}. */
  public static boolean isCredential(String name) {
    return CREDENTIAL.matcher(name.toUpperCase(Locale.ROOT)).matches();
  }

  /** The worker's environment minus credentials, plus the variables the job names. */
  public static Map<String, String> local(Map<String, String> worker, List<String> named) {
    Map<String, String> env = new LinkedHashMap<>();
    worker.forEach(
        (name, value) -> {
          if (!isCredential(name) || named.contains(name)) {
            env.put(name, value);
          }
        });
    return env;
  }
}
