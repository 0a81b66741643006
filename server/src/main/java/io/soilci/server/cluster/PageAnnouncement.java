package io.soilci.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.result.Printable;
import io.soilci.server.storage.Md5;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the holder of a role announces on the pages' stream ({@link ChangeStream#PAGES_STREAM}) as
 * its mirror finds the role's pages written: small JSON with a version. A page whose bytes it
 * carries is announced at once, its put in the bucket made beside it ({@link PagePuts}); a page
 * whose bytes it does not carry is announced once the bucket has them.
 *
 * @param version the message format; a replica skips one it does not know ({@link #decode})
 * @param role the role whose pages these are: {@code site} or {@code host.HOST}
 * @param origin the replica that holds the role and rendered them
 * @param upTo every change of the stream up to this sequence is rendered in the role's pages as
 *     announced so far, this announcement included (0: this announcement says nothing of that, e.g.
 *     a page it does not carry is still being put)
 * @param pages each page written (its path from the site root, and the lower-case hex MD5 of its
 *     bytes) or deleted (an empty MD5)
 * @param inline the bytes of some of the pages written (base64 in the JSON), so that a follower
 *     writes them without a GET of the bucket, which may not have them yet; a page written and not
 *     here is in the bucket, and fetched from there
 * @param takeover whether this is the first announcement of {@code origin} since it took the role
 *     (and made the bucket's pages of the role its own): a follower compares the role's pages with
 *     the bucket's then, and from then on takes announcements of the role from {@code origin} only
 */
record PageAnnouncement(
    int version,
    String role,
    String origin,
    long upTo,
    Map<String, String> pages,
    Map<String, byte[]> inline,
    boolean takeover) {
  /**
   * Version 2 added {@link #inline}, version 3 {@link #takeover}; an older announcement is read as
   * one with none of them.
   */
  static final int VERSION = 3;

  private static final int OLDEST_READ = 1;

  /** The most pages one message names: it stays far below nats-server's 1 MB payload. */
  static final int MOST_PAGES = 2000;

  /** The largest page whose bytes an announcement carries. */
  static final int MOST_INLINE_PAGE = 64 * 1024;

  /**
   * The most bytes of pages one message carries: their base64 with {@link #MOST_PAGES} paths and
   * MD5s stays below nats-server's 1 MB payload.
   */
  static final int MOST_INLINE_BYTES = 384 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  PageAnnouncement {
    pages = Map.copyOf(pages);
    inline = Map.copyOf(inline);
  }

  byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an announcement of pages did not encode as JSON", e);
    }
  }

  /**
   * The announcement these bytes hold; {@link IOException} naming what is wrong for bytes that are
   * not one (not JSON, a version this server does not read, a field missing or of another type, a
   * role that is none of {@link PageMirror#roles}, an {@code upTo} below 0, more than {@value
   * #MOST_PAGES} pages, a path that is not a page of the role (absolute, {@code ..}, a job's file,
   * a hidden or temp file, another role's), an MD5 that is not 32 lower-case hex digits). The
   * message may come from anyone who can publish on the stream: nothing in it is trusted.
   */
  static PageAnnouncement decode(byte[] bytes) throws IOException {
    JsonNode tree;
    try {
      tree = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException(
          "an announcement of pages must be JSON (" + e.getOriginalMessage() + "): " + text(bytes));
    }
    if (tree == null || !tree.isObject()) {
      throw new IOException("an announcement of pages must be a JSON object: " + text(bytes));
    }
    int version = tree.path("version").asInt(-1);
    if (version < OLDEST_READ || version > VERSION) {
      throw new IOException(
          "announcement of pages version "
              + tree.path("version")
              + " is not one this server reads ("
              + OLDEST_READ
              + " to "
              + VERSION
              + "): upgrade this replica to the others' version ("
              + text(bytes)
              + ")");
    }
    String role = text(tree, "role");
    if (!PageMirror.roles().contains(role)) {
      throw new IOException(
          "an announcement of pages of role '"
              + Printable.of(role)
              + "': the roles are "
              + String.join(", ", PageMirror.roles()));
    }
    String origin = text(tree, "origin");
    JsonNode upTo = tree.path("upTo");
    if (!upTo.canConvertToExactIntegral() || !upTo.canConvertToLong() || upTo.asLong() < 0) {
      throw new IOException(
          "an announcement of pages of "
              + role
              + " needs 'upTo', a sequence 0 or more, not "
              + upTo);
    }
    JsonNode pages = tree.path("pages");
    if (!pages.isObject()) {
      throw new IOException(
          "an announcement of pages of " + role + " needs 'pages', an object of path: MD5");
    }
    if (pages.size() > MOST_PAGES) {
      throw new IOException(
          "an announcement of pages of "
              + role
              + " names "
              + pages.size()
              + " pages, more than the "
              + MOST_PAGES
              + " a holder puts in one");
    }
    Map<String, String> named = new TreeMap<>();
    for (Map.Entry<String, JsonNode> page : pages.properties()) {
      String path = page.getKey();
      if (!PageMirror.isMirrored(path) || !PageMirror.roleOf(path).equals(role)) {
        throw new IOException(
            "an announcement of pages of "
                + role
                + " names '"
                + Printable.of(path)
                + "', which is not a page of "
                + role
                + " (a path under the site, of letters, digits, '.', '_' and '-', no segment"
                + " starting with '.', not a job's file)");
      }
      JsonNode md5 = page.getValue();
      if (!md5.isTextual() || !(md5.asText().isEmpty() || Md5.isHex(md5.asText()))) {
        throw new IOException(
            "an announcement of pages of "
                + role
                + " gives page "
                + path
                + " the MD5 "
                + Printable.of(md5.toString())
                + ": it must be 32 lower-case hex digits, or empty for a page deleted");
      }
      named.put(path, md5.asText());
    }
    JsonNode takeover = tree.path("takeover");
    if (!takeover.isMissingNode() && !takeover.isBoolean()) {
      throw new IOException(
          "an announcement of pages of "
              + role
              + " gives 'takeover' as "
              + Printable.of(takeover.toString())
              + ": it must be true or false");
    }
    return new PageAnnouncement(
        version,
        role,
        origin,
        upTo.asLong(),
        named,
        inline(tree.path("inline"), role, named),
        takeover.asBoolean(false));
  }

  /**
   * The bytes carried ({@code inline}, none in a version-1 announcement): each of a page the
   * announcement names as put, base64, at most {@link #MOST_INLINE_PAGE} each and {@link
   * #MOST_INLINE_BYTES} in all. Whether they are the page's bytes the follower checks by the MD5.
   */
  private static Map<String, byte[]> inline(JsonNode inline, String role, Map<String, String> pages)
      throws IOException {
    Map<String, byte[]> carried = new TreeMap<>();
    if (inline.isMissingNode() || inline.isNull()) {
      return carried;
    }
    if (!inline.isObject()) {
      throw new IOException(
          "an announcement of pages of " + role + " needs 'inline', an object of path: base64");
    }
    long total = 0;
    for (Map.Entry<String, JsonNode> page : inline.properties()) {
      String path = page.getKey();
      if (pages.getOrDefault(path, "").isEmpty()) {
        throw new IOException(
            "an announcement of pages of "
                + role
                + " carries the bytes of '"
                + Printable.of(path)
                + "', which it does not name as put");
      }
      byte[] bytes;
      try {
        bytes = page.getValue().isTextual() ? page.getValue().binaryValue() : null;
      } catch (IOException e) {
        bytes = null;
      }
      if (bytes == null) {
        throw new IOException(
            "an announcement of pages of " + role + " carries bytes of " + path + " not in base64");
      }
      total += bytes.length;
      if (bytes.length > MOST_INLINE_PAGE || total > MOST_INLINE_BYTES) {
        throw new IOException(
            "an announcement of pages of "
                + role
                + " carries more bytes than a holder puts in one ("
                + MOST_INLINE_PAGE
                + " a page, "
                + MOST_INLINE_BYTES
                + " in all)");
      }
      carried.put(path, bytes);
    }
    return carried;
  }

  private static String text(JsonNode tree, String field) throws IOException {
    JsonNode value = tree.path(field);
    if (value.isMissingNode()) {
      throw new IOException("an announcement of pages lacks '" + field + "', a string");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new IOException(
          "an announcement of pages needs '" + field + "', a string, not " + value.toString());
    }
    return value.asText();
  }

  private static String text(byte[] bytes) {
    return Printable.of(new String(bytes, StandardCharsets.UTF_8));
  }
}
