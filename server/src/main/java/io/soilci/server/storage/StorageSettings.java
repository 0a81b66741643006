package io.soilci.server.storage;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The bucket of the distributed mode (config block {@code distributed.storage}): any S3 API at
 * {@code endpoint}, addressed path-style ({@code ENDPOINT/BUCKET/KEY}), every key under {@code
 * prefix}.
 *
 * @param endpoint the S3 API's base URL, {@code http(s)://HOST[:PORT]}
 * @param bucket the bucket's name: 3-63 lower-case letters, digits, '.' and '-'
 * @param prefix put in front of every key: empty, or segments each ending with {@code /}
 * @param region the region requests are signed for ({@code us-east-1} unless the service says)
 * @param credentials the access key pair, from the environment
 */
public record StorageSettings(
    URI endpoint, String bucket, String prefix, String region, S3Credentials credentials) {
  public static final String DEFAULT_REGION = "us-east-1";
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public StorageSettings {
    String scheme = String.valueOf(endpoint.getScheme());
    if (!(scheme.equals("http") || scheme.equals("https"))
        || endpoint.getHost() == null
        || !(endpoint.getRawPath() == null
            || endpoint.getRawPath().isEmpty()
            || endpoint.getRawPath().equals("/"))
        || endpoint.getRawQuery() != null
        || endpoint.getRawUserInfo() != null) {
      throw new BadInput(
          "config key 'distributed.storage.endpoint' '"
              + Printable.of(endpoint.toString())
              + "' must be http(s)://HOST[:PORT] without a path, query or credentials,"
              + " e.g. http://127.0.0.1:9000");
    }
    if (!BUCKET.matcher(bucket).matches()
        || bucket.contains("..")
        || IP.matcher(bucket).matches()) {
      throw new BadInput(
          "config key 'distributed.storage.bucket' '"
              + Printable.of(bucket)
              + "' must be an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-',"
              + " starting and ending with a letter or digit, no '..', not an IP address");
    }
    if (!prefix.isEmpty()) {
      boolean valid = prefix.endsWith("/");
      if (valid) {
        try {
          ObjectKeys.require(prefix.substring(0, prefix.length() - 1));
        } catch (IllegalArgumentException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new BadInput(
            "config key 'distributed.storage.prefix' '"
                + Printable.of(prefix)
                + "' must be segments of letters, digits, '.', '_' or '-' each ending with '/'"
                + " (no '..', no leading '/'), e.g. site/");
      }
    }
    if (!REGION.matcher(region).matches()) {
      throw new BadInput(
          "config key 'distributed.storage.region' '"
              + Printable.of(region)
              + "' must be lower-case letters, digits and '-', e.g. us-east-1");
    }
  }

  /** The key in the bucket of the site path {@code key}: the prefix and the key. */
  public String bucketKey(String key) {
    return prefix + ObjectKeys.require(key);
  }
}
