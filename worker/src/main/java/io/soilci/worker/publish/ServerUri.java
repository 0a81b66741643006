package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import java.net.URI;
import java.net.URISyntaxException;

/** The server's base URL as given with {@code --server}, made to end in {@code /}. */
public final class ServerUri {
  private ServerUri() {}

  /** Parses {@code --server URL}: http or https, with a host. */
  public static URI parse(String value) {
    try {
      URI uri = new URI(value);
      if (uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new URISyntaxException(value, "not an http(s) URL with a host");
      }
      return normalize(uri);
    } catch (URISyntaxException e) {
      throw new BadInput(
          "--server '" + value + "' must be an http(s) URL, e.g. https://soil.example.org/");
    }
  }

  static URI normalize(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? uri : URI.create(text + "/");
  }
}
