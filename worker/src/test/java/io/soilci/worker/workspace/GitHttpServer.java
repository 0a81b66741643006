package io.soilci.worker.workspace;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * git's smart HTTP protocol on 127.0.0.1, served by the real {@code git http-backend} behind a
 * check of {@code Authorization: Basic x-access-token:TOKEN}: a clone succeeds only with the token.
 */
final class GitHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final Path projectRoot;
  private final String expected;

  GitHttpServer(Path projectRoot, String token) throws IOException {
    this.projectRoot = projectRoot;
    this.expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/git/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
  }

  /** The URL of the bare repository {@code name} under the project root. */
  String url(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/git/" + name;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      byte[] cgi = runBackend(exchange, body);
      reply(exchange, cgi);
    }
  }

  private byte[] runBackend(HttpExchange exchange, byte[] body) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
    Map<String, String> env = builder.environment();
    env.put("GIT_PROJECT_ROOT", projectRoot.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("REQUEST_METHOD", exchange.getRequestMethod());
    env.put("PATH_INFO", exchange.getRequestURI().getPath().substring("/git".length()));
    String query = exchange.getRequestURI().getRawQuery();
    env.put("QUERY_STRING", query == null ? "" : query);
    header(exchange, "Content-Type", env, "CONTENT_TYPE");
    header(exchange, "Content-Encoding", env, "HTTP_CONTENT_ENCODING");
    header(exchange, "Git-Protocol", env, "GIT_PROTOCOL");
    env.put("CONTENT_LENGTH", Integer.toString(body.length));
    Process process = builder.start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(body);
    }
    byte[] out = process.getInputStream().readAllBytes();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private static void header(
      HttpExchange exchange, String name, Map<String, String> env, String var) {
    String value = exchange.getRequestHeaders().getFirst(name);
    if (value != null) {
      env.put(var, value);
    }
  }

  /** Sends a CGI response: header lines, a blank line, the body. */
  private static void reply(HttpExchange exchange, byte[] cgi) throws IOException {
    int end = indexOf(cgi, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    int skip = 4;
    if (end < 0) {
      end = indexOf(cgi, "\n\n".getBytes(StandardCharsets.US_ASCII));
      skip = 2;
    }
    String head = new String(cgi, 0, end, StandardCharsets.ISO_8859_1);
    int status = 200;
    for (String line : head.lines().toList()) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Status")) {
        status = Integer.parseInt(value.substring(0, 3));
      } else {
        exchange.getResponseHeaders().add(name, value);
      }
    }
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    rest.write(cgi, end + skip, cgi.length - end - skip);
    exchange.sendResponseHeaders(status, rest.size() == 0 ? -1 : rest.size());
    try (OutputStream out = exchange.getResponseBody()) {
      rest.writeTo(out);
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    for (int i = 0; i + pattern.length <= data.length; i++) {
      if (java.util.Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
