package io.soilci.server.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The server under attack and the tokens of its workers: {@code github} (github-jobs, status-api),
 * {@code sourcehut} (sourcehut-jobs), {@code statusOnly} (status-api).
 */
record Target(int port, String github, String sourcehut, String statusOnly) {
  static final String JOB = "/results?workerHost=github&runId=4101&jobName=cpp-small";

  /** A request line and headers as raw bytes, then an optional streamed body. */
  Wire.Answer raw(byte[] head, Wire.@Nullable Body body) throws IOException {
    return Wire.exchange(port, head, body);
  }

  Wire.Answer get(String rawPath) throws IOException {
    return Wire.exchange(port, "GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n", null);
  }

  /** A POST with a complete body and its length. */
  Wire.Answer post(String rawTarget, @Nullable String authorization, String type, byte[] body)
      throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.writeBytes(
        ("POST " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .getBytes(StandardCharsets.UTF_8));
    if (authorization != null) {
      head.writeBytes(
          ("Authorization: " + authorization + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    head.writeBytes(
        ("Content-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
    return Wire.exchange(port, head.toByteArray(), out -> out.write(body));
  }

  Wire.Answer upload(String rawTarget, String authorization, Form form) throws IOException {
    return post(rawTarget, authorization, Form.TYPE, form.bytes());
  }

  /** An event: a POST without a body. */
  Wire.Answer event(String query, String authorization) throws IOException {
    return post("/event?" + query, authorization, "text/plain", new byte[0]);
  }

  /** A chunked POST whose body comes from {@code body}; nothing is held in memory. */
  Wire.Answer chunked(String rawTarget, String authorization, String type, Wire.Body body)
      throws IOException {
    String head =
        "POST "
            + rawTarget
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + authorization
            + "\r\nContent-Type: "
            + type
            + "\r\nTransfer-Encoding: chunked\r\n";
    return Wire.exchange(port, head, body);
  }
}
