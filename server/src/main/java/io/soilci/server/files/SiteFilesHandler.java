package io.soilci.server.files;

import io.soilci.server.http.BufferCache;
import io.soilci.server.http.Conditional;
import io.soilci.server.http.FileRegion;
import io.soilci.server.http.Gzip;
import io.soilci.server.http.HttpError;
import io.soilci.server.wwz.ContentTypes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ByteRange;
import io.undertow.util.CanonicalPathUtils;
import io.undertow.util.DateUtils;
import io.undertow.util.ETag;
import io.undertow.util.ETagUtils;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.MimeMappings;
import io.undertow.util.RedirectBuilder;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /PATH}: a file of the site, {@code index.html} for a folder. Any path with a segment
 * starting with '.' (temp files, hidden folders) is refused with 404; links are not followed. Only
 * the site's own pages (HTML, written by the server) may run script; every other file (a job's
 * JSON, TSV, wwz, status file) is served inside {@code Content-Security-Policy: sandbox}.
 *
 * <p>Each answer comes from one version of the file (size, time and inode, looked at once per
 * request; {@link FileVersion}): files up to 256 KiB from an off-heap cache of such versions,
 * larger ones by sendfile from a channel opened as that version. Pages are replaced by rename while
 * being served, so an answer is never torn and, once the rename is done, never stale. Text files
 * (up to 16 MiB) go gzipped to a client that takes it, each version compressed once. ETag, {@code
 * Last-Modified}, 304, 412 and single byte ranges (of the plain bytes) as RFC 9110 says.
 *
 * <p>Undertow's {@code CachingResourceManager} does not fit: it trusts a cached file until a
 * timeout or a change notice arrives (stale after a rename), and its {@code PathResource} takes the
 * length and the bytes in two opens (a torn page after a rename).
 */
public final class SiteFilesHandler implements HttpHandler, AutoCloseable {
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
  private static final HttpString CSP = new HttpString("Content-Security-Policy");

  /** The text files sent gzipped to a client that takes it. */
  private static final String[] TEXT = {"html", "css", "js", "json", "txt", "tsv", "csv", "svg"};

  private static final long SMALL_BYTES = 256L << 10;
  private static final long SMALL_BUDGET_BYTES = 64L << 20;
  private static final long MAX_GZIP_BYTES = 16L << 20;
  private static final long GZIP_BUDGET_BYTES = 32L << 20;
  private static final int OPEN_FILES = 256;

  /** Attempts to catch one version of a file that is replaced again and again meanwhile. */
  private static final int ATTEMPTS = 5;

  private final Path root;
  private final MimeMappings types;
  private final BufferCache small = new BufferCache(SMALL_BUDGET_BYTES, SMALL_BYTES);
  private final BufferCache gzipped = new BufferCache(GZIP_BUDGET_BYTES, MAX_GZIP_BYTES);
  private final OpenFiles large = new OpenFiles(OPEN_FILES);

  public SiteFilesHandler(Path root) {
    this.root = root.toAbsolutePath().normalize();
    MimeMappings.Builder builder = MimeMappings.builder(true);
    for (String ext : TEXT) {
      builder.addMapping(ext, ContentTypes.of("x." + ext));
    }
    this.types = builder.build();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRelativePath();
    if (path.contains("/.") || path.contains("\\") || path.indexOf('\0') >= 0) {
      throw HttpError.notFound("not found");
    }
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    if (!isPage(path)) {
      exchange.getResponseHeaders().put(CSP, "sandbox");
    }
    boolean text = isText(path);
    if (text) {
      exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
    }
    Path file = find(exchange, CanonicalPathUtils.canonicalize(path));
    if (file == null) {
      return;
    }
    boolean gzip =
        text && Gzip.accepted(exchange) && !exchange.getRequestHeaders().contains(Headers.RANGE);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      FileVersion version;
      try {
        version = FileVersion.of(attributes(file));
      } catch (NoSuchFileException e) {
        throw HttpError.notFound("not found");
      }
      if (serve(exchange, file, version, gzip)) {
        return;
      }
    }
    throw new IOException(
        file + " was replaced " + ATTEMPTS + " times while being read; ask again");
  }

  /**
   * The regular file {@code path} names (a folder's {@code index.html}), or null once a redirect or
   * refusal is answered.
   */
  private @Nullable Path find(HttpServerExchange exchange, String path) throws IOException {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    Path file = root.resolve(relative).normalize();
    if (!file.startsWith(root)) {
      throw HttpError.notFound("not found");
    }
    try {
      for (Path dir = file.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
        if (!dir.startsWith(root) || attributes(dir).isSymbolicLink()) {
          throw HttpError.notFound("not found");
        }
      }
      BasicFileAttributes attrs = attributes(file);
      if (attrs.isDirectory()) {
        if (!relative.isEmpty() && !relative.endsWith("/")) {
          exchange.setStatusCode(StatusCodes.FOUND);
          exchange
              .getResponseHeaders()
              .put(
                  Headers.LOCATION,
                  RedirectBuilder.redirect(exchange, exchange.getRelativePath() + "/", true));
          exchange.endExchange();
          return null;
        }
        file = file.resolve("index.html");
        attrs = attributes(file);
      } else if (relative.endsWith("/")) {
        throw HttpError.notFound("not found");
      }
      if (!attrs.isRegularFile()) {
        throw HttpError.notFound("not found");
      }
      return file;
    } catch (NoSuchFileException e) {
      throw HttpError.notFound("not found");
    }
  }

  private static BasicFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Answers with {@code version} of {@code file} and returns true, or returns false if the file is
   * no longer that version (nothing answered yet; the caller looks again).
   */
  private boolean serve(
      HttpServerExchange exchange, Path file, FileVersion version, boolean gzipAccepted)
      throws IOException {
    String name = file.toString();
    long size = version.size();
    boolean gzip = gzipAccepted && Gzip.worthIt(size) && size <= MAX_GZIP_BYTES;
    ByteBuffer bytes = null;
    FileChannel channel = null;
    if (gzip) {
      bytes = gzipped.get(name, version.tag());
      if (bytes == null) {
        byte[] plain = read(file, version);
        if (plain == null) {
          return false;
        }
        bytes = toDirect(Gzip.compress(plain));
        gzipped.put(name, version.tag(), bytes.duplicate());
      }
    } else if (small.fits(size)) {
      bytes = small.get(name, version.tag());
      if (bytes == null) {
        byte[] plain = read(file, version);
        if (plain == null) {
          return false;
        }
        bytes = toDirect(plain);
        small.put(name, version.tag(), bytes.duplicate());
      }
    } else {
      channel = large.get(file, version);
      if (channel == null) {
        return false;
      }
    }
    answer(exchange, file, version, gzip, bytes, channel);
    return true;
  }

  /** Headers, conditionals and range; then the body from {@code bytes} or else {@code channel}. */
  private void answer(
      HttpServerExchange exchange,
      Path file,
      FileVersion version,
      boolean gzip,
      @Nullable ByteBuffer bytes,
      @Nullable FileChannel channel)
      throws IOException {
    String tag = version.tag() + (gzip ? "-gz" : "");
    String etag = "\"" + tag + "\"";
    Date modified = new Date(version.modifiedMillis());
    if (!ETagUtils.handleIfMatch(exchange, new ETag(false, tag), false)
        || !DateUtils.handleIfUnmodifiedSince(exchange, modified)) {
      exchange.setStatusCode(StatusCodes.PRECONDITION_FAILED);
      exchange.endExchange();
      return;
    }
    if (Conditional.notModified(exchange, etag, version.modifiedMillis())) {
      return;
    }
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, contentType(file));
    headers.put(Headers.ETAG, etag);
    headers.put(Headers.LAST_MODIFIED, DateUtils.toDateString(modified));
    long length = gzip && bytes != null ? bytes.remaining() : version.size();
    long from = 0;
    long to = length;
    if (gzip) {
      headers.put(Headers.CONTENT_ENCODING, "gzip");
    } else {
      headers.put(Headers.ACCEPT_RANGES, "bytes");
      ByteRange range = ByteRange.parse(exchange.getRequestHeaders().getFirst(Headers.RANGE));
      if (range != null && range.getRanges() == 1) {
        ByteRange.RangeResponseResult part =
            range.getResponseResult(
                length, exchange.getRequestHeaders().getFirst(Headers.IF_RANGE), modified, etag);
        if (part != null) {
          exchange.setStatusCode(part.getStatusCode());
          headers.put(Headers.CONTENT_RANGE, part.getContentRange());
          if (part.getStatusCode() == StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE) {
            exchange.setResponseContentLength(0);
            exchange.endExchange();
            return;
          }
          from = part.getStart();
          to = part.getEnd() + 1;
        }
      }
    }
    exchange.setResponseContentLength(to - from);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else if (bytes != null) {
      exchange.getResponseSender().send(bytes.limit((int) to).position((int) from));
    } else if (channel != null) {
      FileRegion.send(exchange, channel, ByteBuffer.allocate(0), from, to, ByteBuffer.allocate(0));
    }
  }

  private String contentType(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String type =
        dot < 0 || dot == name.length() - 1 ? null : types.getMimeType(name.substring(dot + 1));
    return type == null ? "application/octet-stream" : type;
  }

  /** The bytes of exactly {@code version} of {@code file}, or null if it is no longer that. */
  private static byte @Nullable [] read(Path file, FileVersion version) throws IOException {
    FileChannel channel = OpenFiles.open(file, version);
    if (channel == null) {
      return null;
    }
    try (channel) {
      ByteBuffer bytes = ByteBuffer.allocate((int) version.size());
      while (bytes.hasRemaining()) {
        if (channel.read(bytes, bytes.position()) < 0) {
          return null;
        }
      }
      return bytes.array();
    }
  }

  private static ByteBuffer toDirect(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
  }

  @Override
  public void close() {
    large.close();
  }

  /** A page or another text file of the site, by its name. */
  static boolean isText(String path) {
    if (isPage(path)) {
      return true;
    }
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    return dot > slash + 1 && Arrays.asList(TEXT).contains(path.substring(dot + 1));
  }

  /**
   * A page the server wrote: a folder's {@code index.html} or an {@code .html} file (no job file or
   * status file can end in {@code .html}). Decided by the path, never by the answer's type: a 304
   * has no Content-Type, and a browser merges the 304's headers into the cached page, so a sandbox
   * sent with it would stop the page's script on every later visit.
   */
  static boolean isPage(String path) {
    return path.isEmpty() || path.endsWith("/") || path.endsWith(".html");
  }
}
