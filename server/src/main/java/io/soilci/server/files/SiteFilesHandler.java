package io.soilci.server.files;

import io.soilci.server.http.BufferCache;
import io.soilci.server.http.Conditional;
import io.soilci.server.http.FileRegion;
import io.soilci.server.http.Gzip;
import io.soilci.server.http.Head;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Redirects;
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
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * (up to 16 MiB) go gzipped to a client that takes it, each version compressed once. An answer at
 * hand (in memory, or a large file already open as that version) is given on the IO thread ({@link
 * #answerFromCache}), anything else on a worker. Each version's headers are made once. ETag, {@code
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
  private final BufferCache<FileVersion> small = new BufferCache<>(SMALL_BUDGET_BYTES, SMALL_BYTES);
  private final BufferCache<FileVersion> gzipped =
      new BufferCache<>(GZIP_BUDGET_BYTES, MAX_GZIP_BYTES);
  private final OpenFiles large =
      new OpenFiles(OPEN_FILES, (file, version) -> headOf(file, version, false));

  public SiteFilesHandler(Path root) {
    this.root = root.toAbsolutePath().normalize();
    MimeMappings.Builder builder = MimeMappings.builder(true);
    for (String ext : TEXT) {
      builder.addMapping(ext, ContentTypes.of("x." + ext));
    }
    this.types = builder.build();
  }

  /** A regular file of the site reached without links, as looked at once. */
  private record Located(Path file, BasicFileAttributes attrs) {}

  /**
   * Answers on the IO thread and returns true when the version asked for is at hand: a file up to
   * 256 KiB or a gzip variant in memory, or a larger file already open as that version (sent by
   * sendfile, {@link FileRegion}), for a public GET or HEAD. Costs one stat of the file and of each
   * folder on its path (as nginx looks at a file on its event loop), no open and no read; anything
   * else returns false with nothing answered, for {@link #handleRequest} on a worker.
   */
  public boolean answerFromCache(HttpServerExchange exchange) {
    String path = exchange.getRelativePath();
    if (refused(path)) {
      return false;
    }
    try {
      Located found = locate(CanonicalPathUtils.canonicalize(path));
      if (found == null) {
        return false;
      }
      FileVersion version = FileVersion.of(found.attrs);
      String name = found.file.toString();
      if (gzip(exchange, path, version)) {
        return answer(exchange, path, gzipped.get(name, version), true);
      } else if (small.fits(version.size())) {
        return answer(exchange, path, small.get(name, version), false);
      }
      OpenFiles.Opened opened = large.opened(found.file, version);
      if (opened == null) {
        return false;
      }
      policy(exchange, path);
      answer(exchange, opened);
      return true;
    } catch (IOException | RuntimeException e) {
      // Nothing answered yet: the worker answers, or says what failed.
      return false;
    }
  }

  /** Answers from {@code hit} and returns true, or returns false if there is none. */
  private static boolean answer(
      HttpServerExchange exchange, String path, BufferCache.@Nullable Hit hit, boolean gzip) {
    if (hit == null) {
      return false;
    }
    policy(exchange, path);
    answer(exchange, hit, gzip);
    return true;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRelativePath();
    if (refused(path)) {
      throw HttpError.notFound("not found");
    }
    policy(exchange, path);
    String canonical = CanonicalPathUtils.canonicalize(path);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Located found = locate(canonical);
      if (found == null) {
        refuse(exchange, canonical);
        return;
      }
      FileVersion version = FileVersion.of(found.attrs);
      if (serve(exchange, found.file, version, gzip(exchange, path, version))) {
        return;
      }
    }
    throw new IOException(
        path + " was replaced " + ATTEMPTS + " times while being read; ask again");
  }

  /** Temp files, hidden folders and odd characters: never served. */
  private static boolean refused(String path) {
    return path.contains("/.") || path.contains("\\") || path.indexOf('\0') >= 0;
  }

  /** The headers the site's rules give every answer for {@code path}, whatever its status. */
  private static void policy(HttpServerExchange exchange, String path) {
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    if (!isPage(path)) {
      exchange.getResponseHeaders().put(CSP, "sandbox");
    }
    if (isText(path)) {
      exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
    }
  }

  /** True if the answer is the gzip variant: a text file, a client that takes it, no range. */
  private static boolean gzip(HttpServerExchange exchange, String path, FileVersion version) {
    return isText(path)
        && Gzip.worthIt(version.size())
        && version.size() <= MAX_GZIP_BYTES
        && !exchange.getRequestHeaders().contains(Headers.RANGE)
        && Gzip.accepted(exchange);
  }

  /**
   * The regular file a canonical path names (a folder's {@code index.html}), or null if it names
   * none reachable without following a link.
   */
  private @Nullable Located locate(String path) throws IOException {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    Path file = root.resolve(relative).normalize();
    if (!file.startsWith(root)) {
      return null;
    }
    try {
      // The site's own folder ("/") has no folder of the site above it to check.
      Path first = file.equals(root) ? root : file.getParent();
      for (Path dir = first; dir != null && !dir.equals(root); dir = dir.getParent()) {
        if (!dir.startsWith(root) || attributes(dir).isSymbolicLink()) {
          return null;
        }
      }
      BasicFileAttributes attrs = attributes(file);
      if (attrs.isDirectory() && (relative.isEmpty() || relative.endsWith("/"))) {
        file = file.resolve("index.html");
        attrs = attributes(file);
      } else if (relative.endsWith("/")) {
        return null;
      }
      return attrs.isRegularFile() ? new Located(file, attrs) : null;
    } catch (FileSystemException e) {
      // No such file, a file where a folder should be ("Not a directory"), no permission.
      return null;
    }
  }

  /** A folder (with its index) named without its slash is redirected to it; anything else 404. */
  private void refuse(HttpServerExchange exchange, String path) throws IOException {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    if (relative.isEmpty() || relative.endsWith("/") || locate(relative + "/") == null) {
      throw HttpError.notFound("not found");
    }
    Redirects.addSlash(exchange);
  }

  private static BasicFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Answers with {@code version} of {@code file} and returns true, or returns false if the file is
   * no longer that version (nothing answered yet; the caller looks again).
   */
  private boolean serve(HttpServerExchange exchange, Path file, FileVersion version, boolean gzip)
      throws IOException {
    String name = file.toString();
    if (gzip || small.fits(version.size())) {
      BufferCache<FileVersion> cache = gzip ? gzipped : small;
      BufferCache.Hit hit = cache.get(name, version);
      if (hit == null) {
        byte[] plain = read(file, version);
        if (plain == null) {
          return false;
        }
        hit =
            new BufferCache.Hit(
                toDirect(gzip ? Gzip.compress(plain) : plain), headOf(file, version, gzip));
        cache.put(name, version, hit.bytes().duplicate(), hit.head());
      }
      answer(exchange, hit, gzip);
      return true;
    }
    OpenFiles.Opened opened = large.get(file, version);
    if (opened == null) {
      return false;
    }
    answer(exchange, opened);
    return true;
  }

  /** The head of {@code version} of {@code file}, plain or its gzip variant. */
  private Head headOf(Path file, FileVersion version, boolean gzip) {
    return Head.of(
        contentType(file), version.tag() + (gzip ? "-gz" : ""), version.modifiedMillis());
  }

  /** Bytes {@code from} (inclusive) to {@code to} (exclusive) of the body. */
  private record Span(long from, long to) {}

  /** The answer from bytes in memory: the file's or its gzip variant's. */
  private static void answer(HttpServerExchange exchange, BufferCache.Hit hit, boolean gzip) {
    ByteBuffer bytes = hit.bytes();
    Span span = head(exchange, hit.head(), gzip, bytes.remaining());
    if (span != null) {
      exchange.getResponseSender().send(bytes.limit((int) span.to).position((int) span.from));
    }
  }

  /** The answer by sendfile from a channel open as the version asked for. */
  private static void answer(HttpServerExchange exchange, OpenFiles.Opened opened)
      throws IOException {
    Span span = head(exchange, opened.head(), false, opened.version().size());
    if (span != null) {
      ByteBuffer none = ByteBuffer.allocate(0);
      FileRegion.send(exchange, opened.channel(), none, span.from, span.to, none);
    }
  }

  /**
   * Conditionals, headers and range for a body of {@code length} bytes described by {@code head};
   * the part of the body to send, or null once the answer is complete (304, 412, 416, HEAD).
   */
  private static @Nullable Span head(
      HttpServerExchange exchange, Head head, boolean gzip, long length) {
    var request = exchange.getRequestHeaders();
    if ((request.contains(Headers.IF_MATCH)
            && !ETagUtils.handleIfMatch(exchange, new ETag(false, head.tag()), false))
        || (request.contains(Headers.IF_UNMODIFIED_SINCE)
            && !DateUtils.handleIfUnmodifiedSince(exchange, new Date(head.modifiedMillis())))) {
      exchange.setStatusCode(StatusCodes.PRECONDITION_FAILED);
      exchange.endExchange();
      return null;
    }
    if (Conditional.notModified(exchange, head.etag(), head.modifiedMillis())) {
      return null;
    }
    head.put(exchange);
    var headers = exchange.getResponseHeaders();
    Span span = new Span(0, length);
    if (gzip) {
      headers.put(Headers.CONTENT_ENCODING, "gzip");
    } else {
      headers.put(Headers.ACCEPT_RANGES, "bytes");
      ByteRange range = ByteRange.parse(request.getFirst(Headers.RANGE));
      if (range != null && range.getRanges() == 1) {
        ByteRange.RangeResponseResult part =
            range.getResponseResult(
                length,
                request.getFirst(Headers.IF_RANGE),
                new Date(head.modifiedMillis()),
                head.etag());
        if (part != null) {
          exchange.setStatusCode(part.getStatusCode());
          headers.put(Headers.CONTENT_RANGE, part.getContentRange());
          if (part.getStatusCode() == StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE) {
            exchange.setResponseContentLength(0);
            exchange.endExchange();
            return null;
          }
          span = new Span(part.getStart(), part.getEnd() + 1);
        }
      }
    }
    exchange.setResponseContentLength(span.to - span.from);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
      return null;
    }
    return span;
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
