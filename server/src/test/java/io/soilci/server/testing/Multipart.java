package io.soilci.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A {@code multipart/form-data} body built in memory, as curl {@code --form} sends it. */
public final class Multipart {
  public static final String BOUNDARY = "----soil-test-boundary-7f3a";

  private record Part(String field, @Nullable String fileName, byte[] body) {}

  private final List<Part> parts = new ArrayList<>();

  public Multipart field(String name, String value) {
    parts.add(new Part(name, null, value.getBytes(StandardCharsets.UTF_8)));
    return this;
  }

  public Multipart file(String field, String fileName, byte[] body) {
    parts.add(new Part(field, fileName, body));
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + BOUNDARY;
  }

  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Part part : parts) {
      StringBuilder head = new StringBuilder();
      head.append("--").append(BOUNDARY).append("\r\n");
      head.append("Content-Disposition: form-data; name=\"").append(part.field()).append('"');
      if (part.fileName() != null) {
        head.append("; filename=\"").append(part.fileName()).append('"');
        head.append("\r\nContent-Type: application/octet-stream");
      }
      head.append("\r\n\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(part.body());
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
