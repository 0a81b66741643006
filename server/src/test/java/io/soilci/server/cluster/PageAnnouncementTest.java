package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An announcement of pages comes from whoever can publish on the pages' stream: anything but a
 * well-formed announcement of a known role's pages is refused, naming what is wrong.
 */
class PageAnnouncementTest {
  private static final String MD5 = "0123456789abcdef0123456789abcdef";

  private static PageAnnouncement decode(String json) throws IOException {
    return PageAnnouncement.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String message(String role, String pages) {
    return "{\"version\":1,\"role\":\""
        + role
        + "\",\"origin\":\"r1\",\"upTo\":7,\"pages\":"
        + pages
        + "}";
  }

  @Test
  void aWellFormedAnnouncementIsRead() throws IOException {
    PageAnnouncement read =
        decode(
            message(
                "host.github-jobs",
                "{\"github-jobs/4101/index.html\":\""
                    + MD5
                    + "\",\"github-jobs/index.html\":\"\"}"));

    assertThat(read.role()).isEqualTo("host.github-jobs");
    assertThat(read.upTo()).isEqualTo(7);
    assertThat(read.pages())
        .isEqualTo(Map.of("github-jobs/4101/index.html", MD5, "github-jobs/index.html", ""));
    assertThat(PageAnnouncement.decode(read.encode())).isEqualTo(read);
  }

  @Test
  void bytesThatAreNotJsonAreRefused() {
    assertThatThrownBy(() -> decode("{not json"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("an announcement of pages must be JSON (");
    assertThatThrownBy(() -> decode("[1,2]"))
        .hasMessage("an announcement of pages must be a JSON object: [1,2]");
  }

  @Test
  void aMissingFieldOrOneOfAnotherTypeIsRefused() {
    assertThatThrownBy(() -> decode("{\"version\":1}"))
        .hasMessage("an announcement of pages lacks 'role', a string");
    assertThatThrownBy(() -> decode("{\"version\":1,\"role\":\"site\",\"upTo\":1,\"pages\":{}}"))
        .hasMessage("an announcement of pages lacks 'origin', a string");
    assertThatThrownBy(() -> decode("{\"version\":1,\"role\":\"site\",\"origin\":5,\"pages\":{}}"))
        .hasMessage("an announcement of pages needs 'origin', a string, not 5");
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":1,\"role\":\"site\",\"origin\":\"r1\",\"upTo\":\"x\",\"pages\":{}}"))
        .hasMessage(
            "an announcement of pages of site needs 'upTo', a sequence 0 or more, not \"x\"");
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":1,\"role\":\"site\",\"origin\":\"r1\",\"upTo\":-1,\"pages\":{}}"))
        .hasMessage("an announcement of pages of site needs 'upTo', a sequence 0 or more, not -1");
    assertThatThrownBy(() -> decode(message("site", "[\"index.html\"]")))
        .hasMessage("an announcement of pages of site needs 'pages', an object of path: MD5");
  }

  @Test
  void anUnknownRoleIsRefused() {
    assertThatThrownBy(() -> decode(message("host.evil-jobs", "{}")))
        .hasMessage(
            "an announcement of pages of role 'host.evil-jobs': the roles are site,"
                + " host.github-jobs, host.sourcehut-jobs");
  }

  @Test
  void aPathOutsideTheSiteOrNotAPageOfTheRoleIsRefused() {
    for (String path :
        new String[] {
          "../escape.html",
          "/etc/passwd",
          "github-jobs/../../escape.html",
          "github-jobs/4101/cpp-small.json",
          "github-jobs/4101/.running/x",
          "github-jobs/.tmp-1",
          "index.html",
          "github-jobs//index.html"
        }) {
      assertThatThrownBy(
              () -> decode(message("host.github-jobs", "{\"" + path + "\":\"" + MD5 + "\"}")))
          .as(path)
          .hasMessageStartingWith(
              "an announcement of pages of host.github-jobs names '"
                  + path
                  + "', which is not a page of host.github-jobs");
    }
  }

  @Test
  void anMd5ThatIsNot32LowerCaseHexDigitsIsRefused() {
    for (String md5 :
        new String[] {"\"xyz\"", "\"" + MD5.toUpperCase(Locale.ROOT) + "\"", "5", "null"}) {
      assertThatThrownBy(() -> decode(message("site", "{\"index.html\":" + md5 + "}")))
          .as(md5)
          .hasMessage(
              "an announcement of pages of site gives page index.html the MD5 "
                  + md5
                  + ": it must be 32 lower-case hex digits, or empty for a page deleted");
    }
  }

  @Test
  void moreThanTheMostPagesAHolderPutsInOneIsRefused() {
    StringBuilder pages = new StringBuilder("{");
    for (int i = 0; i <= PageAnnouncement.MOST_PAGES; i++) {
      pages
          .append(i == 0 ? "" : ",")
          .append("\"github-jobs/")
          .append(i)
          .append("/index.html\":\"\"");
    }
    pages.append('}');

    assertThatThrownBy(() -> decode(message("host.github-jobs", pages.toString())))
        .hasMessage(
            "an announcement of pages of host.github-jobs names 2001 pages, more than the 2000 a"
                + " holder puts in one");
  }

  @Test
  void carriesPagesBytesThroughItsJson() throws IOException {
    byte[] page = "<html>\u00e9\u0000\u00ff</html>".getBytes(StandardCharsets.UTF_8);
    PageAnnouncement sent =
        new PageAnnouncement(
            PageAnnouncement.VERSION,
            "host.github-jobs",
            "r1",
            42,
            Map.of("github-jobs/1/index.html", MD5, "github-jobs/2/index.html", ""),
            Map.of("github-jobs/1/index.html", page),
            true);

    PageAnnouncement read = PageAnnouncement.decode(sent.encode());

    assertThat(read.takeover()).isTrue();
    assertThat(read.pages()).isEqualTo(sent.pages());
    assertThat(read.upTo()).isEqualTo(42);
    assertThat(read.inline()).containsOnlyKeys("github-jobs/1/index.html");
    assertThat(read.inline().get("github-jobs/1/index.html")).isEqualTo(page);
  }

  @Test
  void readsAVersionOneAnnouncementAsOneWithNoBytes() throws IOException {
    PageAnnouncement read = decode(message("site", "{\"index.html\":\"" + MD5 + "\"}"));

    assertThat(read.pages()).containsEntry("index.html", MD5);
    assertThat(read.inline()).isEmpty();
    assertThat(read.takeover()).isFalse();
  }

  @Test
  void refusesAVersionItDoesNotRead() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":4,\"role\":\"site\",\"origin\":\"r2\",\"upTo\":7,\"pages\":{}}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 4 is not one this server reads (1 to 3)")
        .hasMessageContaining("upgrade this replica");
  }

  @Test
  void bytesOfAPageItDoesNotNameAsPutOrNotInBase64AreRefused() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":2,\"role\":\"site\",\"origin\":\"r1\",\"upTo\":1,\"pages\":{},"
                        + "\"inline\":{\"../escape.html\":\"AAAA\"}}"))
        .hasMessage(
            "an announcement of pages of site carries the bytes of '../escape.html', which it does"
                + " not name as put");
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":2,\"role\":\"site\",\"origin\":\"r1\",\"upTo\":1,"
                        + "\"pages\":{\"index.html\":\""
                        + MD5
                        + "\"},\"inline\":{\"index.html\":5}}"))
        .hasMessage("an announcement of pages of site carries bytes of index.html not in base64");
  }

  @Test
  void aTakeoverThatIsNotTrueOrFalseIsRefused() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"version\":3,\"role\":\"site\",\"origin\":\"r1\",\"upTo\":1,"
                        + "\"pages\":{},\"takeover\":\"yes\"}"))
        .hasMessage(
            "an announcement of pages of site gives 'takeover' as \"yes\": it must be true or"
                + " false");
  }
}
