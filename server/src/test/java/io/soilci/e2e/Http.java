package io.soilci.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** GETs for checking pages. */
final class Http {
  private final HttpClient client;

  Http() {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  Http(SSLContext tls) {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build());
  }

  private Http(HttpClient client) {
    this.client = client;
  }

  HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
