package io.soilci.server.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code multipart/form-data} body built byte by byte, so names may hold invalid UTF-8 and the
 * end may be cut off.
 */
final class Form {
  static final String BOUNDARY = "soil-hostile-6b1f";
  static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A plain field. */
  Form field(String name, String value) {
    return part(utf8("name=\"" + name + "\""), utf8(value));
  }

  /** A file part; {@code fileName} is sent as given. */
  Form file(String field, String fileName, byte[] body) {
    return file(field, utf8(fileName), body);
  }

  /** A file part whose file name is raw bytes (e.g. invalid UTF-8). */
  Form file(String field, byte[] fileName, byte[] body) {
    ByteArrayOutputStream disposition = new ByteArrayOutputStream();
    disposition.writeBytes(utf8("name=\"" + field + "\"; filename=\""));
    disposition.writeBytes(fileName);
    disposition.writeBytes(utf8("\""));
    return part(disposition.toByteArray(), body);
  }

  /** A part with the raw bytes after {@code Content-Disposition: form-data; }. */
  Form part(byte[] disposition, byte[] body) {
    out.writeBytes(utf8("--" + BOUNDARY + "\r\nContent-Disposition: form-data; "));
    out.writeBytes(disposition);
    out.writeBytes(utf8("\r\n\r\n"));
    out.writeBytes(body);
    out.writeBytes(utf8("\r\n"));
    return this;
  }

  /** The body with its closing boundary. */
  byte[] bytes() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(out.toByteArray());
    all.writeBytes(utf8("--" + BOUNDARY + "--\r\n"));
    return all.toByteArray();
  }

  /** The body without its closing boundary: a client that stopped mid-way. */
  byte[] unterminated() {
    return out.toByteArray();
  }
}
