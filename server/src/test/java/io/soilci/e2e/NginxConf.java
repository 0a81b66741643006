package io.soilci.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * deploy/nginx/soil.conf with its machine-specific values swapped for test ones (ports,
 * certificate, loopback only), inside a minimal nginx.conf whose files all live in a temp dir.
 */
final class NginxConf {
  private NginxConf() {}

  static Path write(Path dir, Path cert, Path key, int httpsPort, int httpPort, int serverPort)
      throws IOException {
    String shipped = Files.readString(Repo.ROOT.resolve("deploy/nginx/soil.conf"));
    String site =
        replace(shipped, "server 127.0.0.1:8080;", "server 127.0.0.1:" + serverPort + ";")
            .replace("    listen [::]:80;\n", "")
            .replace("    listen [::]:443 ssl http2;\n", "");
    site = replace(site, "listen 80;", "listen 127.0.0.1:" + httpPort + ";");
    site = replace(site, "listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;");
    site = replace(site, "/etc/letsencrypt/live/soil.example.org/fullchain.pem", cert.toString());
    site = replace(site, "/etc/letsencrypt/live/soil.example.org/privkey.pem", key.toString());
    Path siteFile = Files.writeString(dir.resolve("soil.conf"), site);
    Files.createDirectories(dir.resolve("logs"));
    String main =
        String.join(
            "\n",
            // Started as root, nginx runs its workers as 'nobody', who may not write the
            // request-buffer files into this test's private temp dir.
            "root".equals(System.getProperty("user.name")) ? "user root;" : "",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("logs/error.log") + ";",
            "events { worker_connections 64; }",
            "http {",
            "  access_log " + dir.resolve("logs/access.log") + ";",
            "  client_body_temp_path " + dir.resolve("body") + ";",
            "  proxy_temp_path " + dir.resolve("proxy") + ";",
            "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
            "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
            "  scgi_temp_path " + dir.resolve("scgi") + ";",
            "  include " + siteFile + ";",
            "}",
            "");
    return Files.writeString(dir.resolve("nginx.conf"), main);
  }

  /** Replaces {@code from}, which must be there: a shipped config that changed fails loudly. */
  private static String replace(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalStateException("deploy/nginx/soil.conf no longer contains '" + from + "'");
    }
    return text.replace(from, to);
  }
}
