package io.soilci.server.wwz;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.Chromium;
import io.soilci.server.testing.SiteTrees;
import io.soilci.server.testing.TestServer;
import io.soilci.server.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's stored XSS, in real headless Chromium: a job's wwz holds an XHTML document as {@code
 * evil.xml} whose script posts a forged green {@code done} event with the viewer's credentials
 * (sent on every request, as a browser sends cached credentials). The script must not run, and no
 * page of the site may write with those credentials either.
 */
class JobFilesBrowserIT {
  private static final String FORGE =
      "/event?eventName=done&workerHost=github&runId=8001&jobName=dev-minimal&status=0"
          + "&updateStatusApi=1";
  private static final String EVIL =
      "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><script>"
          // CDATA: the URL's '&' is not well-formed XML; a parse error would show Chromium's
          // error page and no script would run, with or without the sandbox.
          + "//<![CDATA[\n"
          + "window.evilRan = true;"
          + "fetch('"
          + FORGE
          + "', {method: 'POST', credentials: 'include'})"
          + ".then(r => { window.evilStatus = r.status; });"
          + "\n//]]></script></body></html>";

  @TempDir Path dir;

  @Test
  void aScriptInAnXmlEntryOfAWwzNeitherRunsNorWrites() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir.resolve("server"));
        Chromium chromium = Chromium.start(Files.createDirectories(dir.resolve("profile")))) {
      Files.write(
          server.site.resolve("github-jobs/4101/evil.wwz"), Zips.of(Map.of("evil.xml", EVIL)));
      String before = SiteTrees.checksum(server.site);
      viewerCredentials(chromium, server);

      String entry = "/github-jobs/4101/evil.wwz/evil.xml";
      assertThat(server.get(entry).body()).isEqualTo(EVIL);
      chromium.open(server.uri(entry).toString());
      // Navigated to and parsed as XHTML without error: the script would run but for the sandbox.
      assertThat(
              chromium
                  .eval(
                      "location.pathname + ' ' + document.contentType + ' '"
                          + " + document.documentElement.namespaceURI + ' '"
                          + " + document.getElementsByTagName('parsererror').length")
                  .asText())
          .isEqualTo(entry + " application/xml http://www.w3.org/1999/xhtml 0");
      boolean ran = chromium.await("window.evilRan === true", Duration.ofSeconds(3));

      assertThat(ran).as("the script of evil.xml ran in the site's origin").isFalse();
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  @Test
  void aPageOfTheSiteCannotWriteWithTheViewersCredentials() throws Exception {
    try (TestServer server = TestServer.withFixtures(dir.resolve("server"));
        Chromium chromium = Chromium.start(Files.createDirectories(dir.resolve("profile")))) {
      String before = SiteTrees.checksum(server.site);
      viewerCredentials(chromium, server);
      chromium.open(server.uri("/github-jobs/index.html").toString());

      int event =
          chromium.eval("fetch('" + FORGE + "', {method: 'POST'}).then(r => r.status)").asInt();
      int form =
          chromium
              .eval(
                  "(() => { const f = new FormData(); f.append('run-hook', 'soil-event-job-done');"
                      + " f.append('arg1', 'github-'); f.append('arg2', '4101');"
                      + " return fetch('/uuu/wwup.cgi', {method: 'POST', body: f})"
                      + ".then(r => r.status); })()")
              .asInt();

      assertThat(event).isEqualTo(403);
      assertThat(form).isEqualTo(403);
      assertThat(SiteTrees.checksum(server.site)).isEqualTo(before);
    }
  }

  /** Every request the browser makes carries the worker's token, as cached Basic auth would. */
  private static void viewerCredentials(Chromium chromium, TestServer server) {
    chromium.call("Network.enable", Map.of());
    chromium.call(
        "Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", server.github)));
  }
}
