package io.soilci.server.storage;

import java.util.Map;

/**
 * The access key pair of a bucket, read from the environment ({@value #ACCESS_KEY}, {@value
 * #SECRET_KEY}), never from the config file. {@link #toString} shows the access key only.
 */
public record S3Credentials(String accessKey, String secretKey) {
  public static final String ACCESS_KEY = "SOIL_S3_ACCESS_KEY";
  public static final String SECRET_KEY = "SOIL_S3_SECRET_KEY";

  public S3Credentials {
    if (accessKey.isEmpty() || secretKey.isEmpty()) {
      throw new IllegalArgumentException("an S3 access key and secret key must be non-empty");
    }
  }

  /**
   * The pair in {@code environment}; a missing or empty variable is bad input naming both variables
   * and the config block that asked for them.
   */
  public static S3Credentials fromEnvironment(Map<String, String> environment) {
    String access = environment.getOrDefault(ACCESS_KEY, "");
    String secret = environment.getOrDefault(SECRET_KEY, "");
    if (access.isEmpty() || secret.isEmpty()) {
      throw new io.soilci.result.BadInput(
          "config key 'distributed.storage' needs the bucket's credentials in the environment:"
              + " set "
              + ACCESS_KEY
              + " and "
              + SECRET_KEY
              + " (missing: "
              + (access.isEmpty() ? ACCESS_KEY + (secret.isEmpty() ? ", " : "") : "")
              + (secret.isEmpty() ? SECRET_KEY : "")
              + ")");
    }
    return new S3Credentials(access, secret);
  }

  @Override
  public String toString() {
    return "S3Credentials[accessKey=" + accessKey + ", secretKey=***]";
  }
}
