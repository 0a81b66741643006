package io.soilci.server.wwz;

import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.S3ObjectStore;
import io.soilci.server.testing.S3ProxyProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link BucketWwzTest} against a real S3 API server (s3proxy as a process). */
class BucketWwzIT extends BucketWwzTest {
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  @TempDir static Path proxyDir;
  private static S3ProxyProcess proxy;

  @BeforeAll
  static void startProxy() throws Exception {
    proxy = S3ProxyProcess.start(proxyDir);
  }

  @AfterAll
  static void stopProxy() throws Exception {
    proxy.close();
  }

  @Override
  ObjectStore newStore() throws IOException {
    String bucket = "wwz-" + BUCKETS.incrementAndGet();
    proxy.createBucket(bucket);
    return S3ObjectStore.open(proxy.settings(bucket, "site/"));
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }
}
