package io.soilci.server.testing;

import io.soilci.server.storage.S3Credentials;
import io.soilci.server.storage.StorageSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3 API server, s3proxy with its filesystem backend, run as a separate process on a free
 * loopback port, so that {@link #kill} is a real SIGKILL and {@link #start} again resumes on the
 * same port and data. Its self-contained jar is fetched by Maven (the server pom's {@code s3proxy}
 * execution, {@code pre-integration-test}) into {@code target/s3proxy/s3proxy.jar}.
 */
public final class S3ProxyProcess extends ServiceProcess {
  /** The access key pair the proxy accepts (signature v2 or v4). */
  public static final S3Credentials CREDENTIALS =
      new S3Credentials("soil-test", "soil-test-secret");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Path data;
  private final Path config;

  private S3ProxyProcess(Path dir, int port) throws IOException {
    super("s3proxy", 60_000, dir.resolve("s3proxy.log"), port);
    this.data = Files.createDirectories(dir.resolve("data"));
    this.config = dir.resolve("s3proxy.conf");
    Files.writeString(
        config,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + CREDENTIALS.accessKey(),
            "s3proxy.credential=" + CREDENTIALS.secretKey(),
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + data,
            ""));
  }

  /** Starts a proxy on a free loopback port with its data under {@code dir}. */
  public static S3ProxyProcess start(Path dir) throws IOException, InterruptedException {
    S3ProxyProcess proxy = new S3ProxyProcess(dir, freePort());
    proxy.start();
    return proxy;
  }

  /** The jar Maven fetched; a clear failure when the test did not run through Maven. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("soil.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "s3proxy's jar is not at "
              + jar.toAbsolutePath()
              + ": run the test through Maven (soil-scripts/mvnw -pl server -am verify"
              + " -Dit.test=...), whose pre-integration-test phase fetches it");
    }
    return jar;
  }

  @Override
  List<String> command() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-Xmx256m",
        "-jar",
        jar().toAbsolutePath().toString(),
        "--properties",
        config.toString());
  }

  @Override
  void environment(Map<String, String> environment) {
    environment.put("LOG_LEVEL", "warn");
  }

  /** Ready once the proxy answers HTTP on its port (any status: it is up). */
  @Override
  boolean ready() throws InterruptedException {
    HttpRequest probe =
        HttpRequest.newBuilder(endpoint()).timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HTTP.send(probe, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Makes a bucket (the filesystem backend's bucket is a folder under its base dir). */
  public void createBucket(String bucket) throws IOException {
    Files.createDirectories(data.resolve(bucket));
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Settings for {@code bucket} here, keys under {@code prefix}. */
  public StorageSettings settings(String bucket, String prefix) {
    return new StorageSettings(
        endpoint(), bucket, prefix, StorageSettings.DEFAULT_REGION, CREDENTIALS);
  }
}
