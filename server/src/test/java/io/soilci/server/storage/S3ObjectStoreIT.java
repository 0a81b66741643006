package io.soilci.server.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.server.testing.S3ProxyProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The {@link ObjectStoreContract} against a real S3 API server (s3proxy as a process). */
class S3ObjectStoreIT extends ObjectStoreContract {
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  @TempDir static Path proxyDir;
  private static S3ProxyProcess proxy;

  private String bucket;
  private S3ObjectStore store;

  @BeforeAll
  static void startProxy() throws Exception {
    proxy = S3ProxyProcess.start(proxyDir);
  }

  @AfterAll
  static void stopProxy() throws Exception {
    proxy.close();
  }

  @BeforeEach
  void openStore() throws IOException {
    bucket = "soil-" + BUCKETS.incrementAndGet();
    proxy.createBucket(bucket);
    store = S3ObjectStore.open(proxy.settings(bucket, "site/"));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Override
  ObjectStore store() {
    return store;
  }

  @Test
  void keepsEachKeyUnderThePrefix() throws IOException {
    store.put("github-jobs/4101/cpp.json", "{}".getBytes(UTF_8), "application/json");

    assertThat(proxyDir.resolve("data").resolve(bucket).resolve("site/github-jobs/4101/cpp.json"))
        .hasContent("{}");
  }

  @Test
  void setsContentTypeAndCacheControl() throws IOException {
    store.put("github-jobs/4101/cpp.wwz", new byte[] {1}, "application/zip");
    store.put("github-jobs/4101/index.html", new byte[] {1}, "text/html; charset=utf-8");

    try (S3Client client = client()) {
      HeadObjectResponse wwz =
          client.headObject(h -> h.bucket(bucket).key("site/github-jobs/4101/cpp.wwz"));
      HeadObjectResponse page =
          client.headObject(h -> h.bucket(bucket).key("site/github-jobs/4101/index.html"));

      assertThat(wwz.contentType()).isEqualTo("application/zip");
      assertThat(wwz.cacheControl()).isEqualTo("public, max-age=300");
      // The same media type; s3proxy's Jetty answers it without the space.
      assertThat(page.contentType().replace(" ", ""))
          .isEqualToIgnoringCase("text/html;charset=utf-8");
      assertThat(page.cacheControl()).isEqualTo("no-cache");
    }
  }

  @Test
  void aMissingBucketFailsAtOpenSayingHowToFixIt() {
    StorageSettings settings = proxy.settings("no-such-bucket", "");

    assertThatThrownBy(() -> S3ObjectStore.open(settings))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "bucket 'no-such-bucket' does not exist at "
                + proxy.endpoint()
                + ": create it (e.g. aws s3 mb s3://no-such-bucket --endpoint-url "
                + proxy.endpoint()
                + ") or name an existing one in config key 'distributed.storage.bucket'");
  }

  @Test
  void wrongCredentialsFailAtOpenNamingTheBucket() {
    StorageSettings settings =
        new StorageSettings(
            proxy.endpoint(), bucket, "", "us-east-1", new S3Credentials("soil-test", "wrong"));

    assertThatThrownBy(() -> S3ObjectStore.open(settings))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "S3 check of the bucket at "
                + proxy.endpoint()
                + " bucket '"
                + bucket
                + "' failed with HTTP 403");
  }

  @Test
  void anEndpointThatDoesNotAnswerFailsAtOpen() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + closed);
    StorageSettings settings =
        new StorageSettings(endpoint, bucket, "", "us-east-1", S3ProxyProcess.CREDENTIALS);

    assertThatThrownBy(() -> S3ObjectStore.open(settings))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "S3 check of the bucket at "
                + endpoint
                + " bucket '"
                + bucket
                + "' could not be reached: ");
  }

  private S3Client client() {
    return S3Client.builder()
        .endpointOverride(proxy.endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    S3ProxyProcess.CREDENTIALS.accessKey(),
                    S3ProxyProcess.CREDENTIALS.secretKey())))
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .build();
  }
}
