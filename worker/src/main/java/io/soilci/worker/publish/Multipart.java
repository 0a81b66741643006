package io.soilci.worker.publish;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A {@code multipart/form-data} body whose file parts stream from disk, never held in memory. */
final class Multipart {
  private final String boundary = "soil-" + UUID.randomUUID();
  private final List<BodyPublisher> pieces = new ArrayList<>();

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  Multipart file(String name, java.nio.file.Path file, String contentType)
      throws FileNotFoundException {
    String head =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\""
            + name
            + "\"; filename=\""
            + file.getFileName()
            + "\"\r\nContent-Type: "
            + contentType
            + "\r\n\r\n";
    pieces.add(BodyPublishers.ofString(head, StandardCharsets.UTF_8));
    pieces.add(BodyPublishers.ofFile(file));
    pieces.add(BodyPublishers.ofString("\r\n", StandardCharsets.UTF_8));
    return this;
  }

  BodyPublisher body() {
    List<BodyPublisher> all = new ArrayList<>(pieces);
    all.add(BodyPublishers.ofString("--" + boundary + "--\r\n", StandardCharsets.UTF_8));
    return BodyPublishers.concat(all.toArray(BodyPublisher[]::new));
  }
}
