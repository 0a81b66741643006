package io.soilci.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the holder of a role announces on the pages' stream ({@link ChangeStream#PAGES_STREAM}) once
 * its mirror put a batch of the role's pages in the bucket: small JSON with a version.
 *
 * @param version the message format; a replica skips one it does not know ({@link #decode})
 * @param role the role whose pages these are: {@code site} or {@code host.HOST}
 * @param origin the replica that holds the role and rendered them
 * @param upTo every change of the stream up to this sequence is rendered in the bucket's pages of
 *     the role (0: this announcement says nothing of that, e.g. a put failed and is tried again)
 * @param pages each page put (its path from the site root, and the lower-case hex MD5 of its bytes)
 *     or deleted (an empty MD5)
 * @param inline the bytes of some of the pages put (base64 in the JSON), so that a follower writes
 *     them without a GET of the bucket; a page put and not here is fetched from the bucket
 */
record PageAnnouncement(
    int version,
    String role,
    String origin,
    long upTo,
    Map<String, String> pages,
    Map<String, byte[]> inline) {
  /** Version 2 added {@link #inline}; a version-1 announcement is read as one with none. */
  static final int VERSION = 2;

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
    inline = inline == null ? Map.of() : Map.copyOf(inline); // none in a version-1 announcement
  }

  byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an announcement of pages did not encode as JSON", e);
    }
  }

  /**
   * The announcement these bytes hold; {@link IOException} for bytes that are not one, or of a
   * version this server does not read.
   */
  static PageAnnouncement decode(byte[] bytes) throws IOException {
    JsonNode tree = JSON.readTree(bytes);
    if (tree == null || !tree.isObject()) {
      throw new IOException("an announcement of pages must be a JSON object");
    }
    int version = tree.path("version").asInt(-1);
    if (version < OLDEST_READ || version > VERSION) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      throw new IOException(
          "announcement of pages version "
              + tree.path("version")
              + " is not one this server reads ("
              + OLDEST_READ
              + " to "
              + VERSION
              + "): upgrade this replica to the others' version ("
              + (text.length() > 200 ? text.substring(0, 200) + "…" : text)
              + ")");
    }
    return JSON.treeToValue(tree, PageAnnouncement.class);
  }
}
