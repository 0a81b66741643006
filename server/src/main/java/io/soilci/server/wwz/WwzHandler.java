package io.soilci.server.wwz;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.Printable;
import io.soilci.result.WwzPath;
import io.soilci.server.http.BufferCache;
import io.soilci.server.http.Conditional;
import io.soilci.server.http.FileRegion;
import io.soilci.server.http.Gzip;
import io.soilci.server.http.Head;
import io.soilci.server.http.HttpError;
import io.soilci.server.http.Query;
import io.soilci.server.http.Redirects;
import io.soilci.server.logview.LogIndexStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET …/JOB.wwz/PATH}: a file served out of the zip without extracting it, written
 * non-blocking (a slow reader holds no worker thread); {@code …/DIR/} serves the folder's {@code
 * index.html} or redirects to {@code -wwz-index}, the generated listing. Whatever its type, every
 * answer carries {@code Content-Security-Policy: sandbox} and {@code nosniff}: a job's files are
 * untrusted content and must never run script in the site's origin (XML, XHTML, SVG, PDF run it as
 * well as HTML). Every answer has an ETag and Last-Modified. A zip reached through a link (the zip
 * or a folder on its way) is not served: a link may lead out of the site.
 */
public final class WwzHandler implements HttpHandler, AutoCloseable {
  private static final String LISTING = "-wwz-index";
  private static final String WWZ = JobFile.WWZ.extension();
  private static final String WWZ_SLASH = WWZ + "/";
  private static final String IN_FOLDER_LISTING = "/" + LISTING;
  private static final HttpString CSP = new HttpString("Content-Security-Policy");
  private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

  private final Path root;
  private final ZipCache zips = new ZipCache(256);
  private static final ByteBuffer NONE = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** Entries up to 256 KiB inflated, in memory; larger ones up to 8 MiB in files. */
  private final BufferCache<String> entries = new BufferCache<>(32L << 20, 256L << 10);

  private final InflatedFiles inflated;
  private final LogIndexStore logIndex;
  private final LogViewEntry logViews;
  private final @Nullable BucketWwz bucket;

  /**
   * Serves the zips under {@code root}; log views keep their index in {@code logIndex}; entries
   * inflated for sendfile are kept in files in {@code inflatedFolder}, already deleted.
   */
  public WwzHandler(Path root, LogIndexStore logIndex, Path inflatedFolder) throws IOException {
    this(root, logIndex, inflatedFolder, null);
  }

  /**
   * As {@link #WwzHandler(Path, LogIndexStore, Path)}; with {@code bucket} (the distributed mode),
   * an entry of a zip the folder does not have yet is read from the bucket ({@link BucketEntries}).
   */
  public WwzHandler(
      Path root, LogIndexStore logIndex, Path inflatedFolder, @Nullable BucketWwz bucket)
      throws IOException {
    this.bucket = bucket;
    this.root = root.toAbsolutePath().normalize();
    this.inflated = new InflatedFiles(inflatedFolder, 128L << 20, 8L << 20);
    this.logIndex = logIndex;
    this.logViews = new LogViewEntry(root, logIndex);
  }

  /** True if {@code path} (the request path) points into or at a {@code .wwz}. */
  public static boolean matches(String path) {
    return path.endsWith(WWZ) || path.contains(WWZ_SLASH);
  }

  /**
   * Answers on the IO thread and returns true when the entry asked for is at hand, for a public GET
   * or HEAD: a zip already open as the version on disk (a stat of it and of each folder on its
   * way), a deflated entry for a client that takes gzip (its own bytes by sendfile, {@link
   * FileRegion}) or an entry's plain bytes already in memory or in their inflated file. An entry
   * answered here once is remembered with its zip ({@link ZipCache.Named}): the next request for it
   * neither looks the name up in the zip nor checks it again, nor joins a string. Anything else
   * (listings, log views, a zip or entry not seen yet) returns false with nothing answered, for
   * {@link #handleRequest} on a worker.
   */
  public boolean answerFromCache(HttpServerExchange exchange) {
    String path = exchange.getRelativePath();
    if (!exchange.getQueryString().isEmpty() || path.endsWith("/")) {
      return false;
    }
    try {
      WwzRequest request = WwzRequest.parse(path);
      String name = request.entry();
      if (name.isEmpty() || name.equals(LISTING) || name.endsWith(IN_FOLDER_LISTING)) {
        return false;
      }
      ZipCache.OpenZip zip = zips.opened(request.zipPath());
      if (zip == null) {
        return false;
      }
      ZipCache.Named named = zip.named(name);
      if (named == null) {
        ZipArchiveEntry entry = zip.zip.getEntry(WwzPath.require("path", name));
        if (entry == null || entry.isDirectory() || !zip.deflatedKnown(entry)) {
          return false;
        }
        named = zip.remember(name, entry, zip.deflated(entry));
      }
      ZipArchiveEntry entry = named.entry();
      Optional<DeflatedEntry> deflated = named.deflated();
      if (deflated.isPresent() && gzipVariant(exchange)) {
        sendGzip(exchange, zip, entry, deflated.get());
        return true;
      }
      BufferCache.Hit hit = null;
      InflatedFiles.Inflated file = null;
      Head head;
      if (entries.fits(entry.getSize())) {
        hit = entries.get(named.cacheName(), zip.key);
        head = hit == null ? null : hit.head();
      } else {
        file = inflated.get(named.cacheName(), zip.key);
        head = file == null ? null : file.head();
      }
      if (head == null) {
        return false;
      }
      if (deflated.isPresent()) {
        exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
      }
      untrusted(exchange);
      if (Conditional.notModified(exchange, head.etag(), zip.modifiedMillis)) {
        return true;
      }
      if (hit != null) {
        sendPlain(exchange, hit);
      } else if (file != null) {
        sendPlain(exchange, file);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      // Nothing answered yet: the worker answers, or says what failed.
      return false;
    }
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    WwzRequest request = WwzRequest.parse(exchange.getRelativePath());
    ZipCache.Place place = place(request);
    if (!ZipCache.noLinks(place.folders())
        || !Files.isRegularFile(place.file(), LinkOption.NOFOLLOW_LINKS)) {
      // The bucket's keys are not paths of this disk: a missing folder on the way is no reason
      // to refuse, nor is a link (which only the folder could follow).
      if (bucket != null
          && BucketEntries.serve(exchange, bucket, request.zipPath(), request.entry())) {
        return;
      }
      throw HttpError.notFound("no such file: " + request.zipPath());
    }
    if (request.entry().isEmpty() && !exchange.getRelativePath().endsWith("/")) {
      Redirects.addSlash(exchange);
      return;
    }
    ZipCache.OpenZip zip = zips.get(place);
    String entry = request.entry();
    if (entry.isEmpty() || entry.endsWith("/")) {
      serveFolder(exchange, zip, request, entry);
    } else if (entry.equals(LISTING) || entry.endsWith("/" + LISTING)) {
      serveListing(exchange, zip, request, entry.substring(0, entry.length() - LISTING.length()));
    } else {
      serveEntry(exchange, zip, request, WwzPath.require("path", entry));
    }
  }

  /**
   * Where the zip a request names is: the file and the folders on its way under the root, none of
   * which may be a link (links are not followed: they may lead out of the site; {@link
   * ZipCache#noLinks}); whether the zip itself is one is left to the caller.
   */
  private ZipCache.Place place(WwzRequest request) {
    Path file = root.resolve(request.zipPath());
    List<Path> folders = new ArrayList<>();
    for (Path dir = file.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
      folders.add(dir);
    }
    return new ZipCache.Place(request.zipPath(), file, List.copyOf(folders));
  }

  /**
   * A folder of the zip ({@code dir} ends with a slash, or is empty for its root): its {@code
   * index.html}, else a redirect to its listing. A folder path that could name no entry ({@code
   * ..}, a control character) is refused, and a folder the zip does not have is not found, before
   * any redirect.
   */
  private void serveFolder(
      HttpServerExchange exchange, ZipCache.OpenZip zip, WwzRequest request, String dir)
      throws IOException {
    if (!dir.isEmpty()) {
      WwzPath.require("path", dir);
    }
    ZipArchiveEntry index = zip.zip.getEntry(dir + "index.html");
    if (index != null && !index.isDirectory()) {
      send(exchange, zip, index);
    } else if (!dir.isEmpty() && WwzListing.children(zip, dir).isEmpty()) {
      throw HttpError.notFound("no folder '" + dir + "' in " + request.zipPath());
    } else {
      Redirects.found(exchange, LISTING);
    }
  }

  private void serveListing(
      HttpServerExchange exchange, ZipCache.OpenZip zip, WwzRequest request, String dir) {
    Map<String, Long> children = WwzListing.children(zip, dir);
    if (children.isEmpty() && !dir.isEmpty()) {
      throw HttpError.notFound("no folder '" + dir + "' in " + request.zipPath());
    }
    boolean gzip = Gzip.accepted(exchange);
    String etag =
        "\"" + Integer.toHexString(zip.key.hashCode()) + "-ls" + (gzip ? "-gz" : "") + "\"";
    exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
    if (notModified(exchange, zip, etag)) {
      return;
    }
    String html = WwzListing.render(request.zipPath() + "/" + dir, !dir.isEmpty(), children);
    headers(exchange, "text/html; charset=utf-8", zip, etag);
    sendText(exchange, html, gzip);
  }

  private void serveEntry(
      HttpServerExchange exchange, ZipCache.OpenZip zip, WwzRequest request, String name)
      throws IOException {
    ZipArchiveEntry entry = zip.zip.getEntry(name);
    boolean view = exchange.getQueryParameters().containsKey("view");
    boolean search = exchange.getQueryParameters().containsKey("search");
    if (entry != null && !entry.isDirectory() && search && LogViewEntry.isTaskLog(name)) {
      serveSearch(exchange, zip, entry);
    } else if (entry != null && !entry.isDirectory() && view && LogViewEntry.isTaskLog(name)) {
      serveLogView(exchange, zip, request, entry);
    } else if (entry != null && !entry.isDirectory()) {
      send(exchange, zip, entry);
    } else if (entry != null || !WwzListing.children(zip, name + "/").isEmpty()) {
      Redirects.addSlash(exchange);
    } else {
      throw HttpError.notFound("no file '" + name + "' in this zip");
    }
  }

  /**
   * An entry's bytes. A deflated entry goes to a client that takes gzip as its raw DEFLATE stream
   * in a gzip member (nothing inflated, a fraction of the bytes); a range request, a client without
   * gzip and a stored entry get the entry's bytes as they are (a range is not honoured: the whole
   * entry, 200). Both variants have their own ETag and say {@code Vary}.
   */
  private void send(HttpServerExchange exchange, ZipCache.OpenZip zip, ZipArchiveEntry entry)
      throws IOException {
    Optional<DeflatedEntry> deflated = zip.deflated(entry);
    if (deflated.isPresent()) {
      if (gzipVariant(exchange)) {
        sendGzip(exchange, zip, entry, deflated.get());
        return;
      }
      exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
    }
    String etag = "\"" + tag(zip, entry) + "\"";
    if (notModified(exchange, zip, etag)) {
      return;
    }
    long size = entry.getSize();
    if (size < 0) {
      throw new IOException(entry.getName() + " has no size in the zip's central directory");
    }
    if (!exchange.getRequestMethod().equals(Methods.HEAD)) {
      if (entries.fits(size)) {
        sendPlain(exchange, cached(zip, entry));
        return;
      } else if (inflated.fits(size)) {
        InflatedFiles.Inflated file = inflated.get(zip.cacheName(entry), zip.key);
        try {
          if (file == null) {
            file = inflated.put(zip.cacheName(entry), zip.key, zip.zip, entry, head(zip, entry));
          }
        } catch (IOException e) {
          // No room on the disk, say: from memory, as before files (a corrupt entry fails again).
          sendPlain(
              exchange, new BufferCache.Hit(EntryBytes.read(zip.zip, entry), head(zip, entry)));
          return;
        }
        sendPlain(exchange, file);
        return;
      }
    }
    headers(exchange, ContentTypes.of(entry.getName()), zip, etag);
    exchange.setResponseContentLength(size);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      EntryStream.send(exchange, zip.zip, entry);
    }
  }

  /**
   * The ETag's value (without quotes) of {@code entry}'s plain bytes in this version of the zip.
   */
  private static String tag(ZipCache.OpenZip zip, ZipArchiveEntry entry) {
    return Integer.toHexString(zip.key.hashCode()) + "-" + Long.toHexString(entry.getCrc());
  }

  /**
   * True if a deflated entry goes as its gzip variant: the client takes gzip and asks for no range
   * (a range is of the plain bytes).
   */
  private static boolean gzipVariant(HttpServerExchange exchange) {
    return !exchange.getRequestHeaders().contains(Headers.RANGE) && Gzip.accepted(exchange);
  }

  /**
   * An entry's plain bytes from memory; conditionals already answered (and with them {@link
   * #untrusted} set).
   */
  private static void sendPlain(HttpServerExchange exchange, BufferCache.Hit hit) {
    hit.head().put(exchange);
    exchange.setResponseContentLength(hit.bytes().remaining());
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(hit.bytes());
    }
  }

  /**
   * An entry's plain bytes by sendfile from the file it was inflated into; conditionals already
   * answered (and with them {@link #untrusted} set).
   */
  private static void sendPlain(HttpServerExchange exchange, InflatedFiles.Inflated file)
      throws IOException {
    file.head().put(exchange);
    exchange.setResponseContentLength(file.size());
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      FileRegion.send(exchange, file.channel(), NONE, 0, file.size(), NONE);
    }
  }

  private static void sendGzip(
      HttpServerExchange exchange,
      ZipCache.OpenZip zip,
      ZipArchiveEntry entry,
      DeflatedEntry deflated)
      throws IOException {
    exchange.getResponseHeaders().put(Headers.VARY, Gzip.VARY);
    String etag = "\"" + tag(zip, entry) + "-gz\"";
    if (notModified(exchange, zip, etag)) {
      return;
    }
    headers(exchange, ContentTypes.of(entry.getName()), zip, etag);
    exchange.getResponseHeaders().put(Headers.CONTENT_ENCODING, "gzip");
    exchange.setResponseContentLength(Gzip.length(deflated.compressedSize()));
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      FileRegion.send(
          exchange,
          zip.file,
          Gzip.header(),
          deflated.offset(),
          deflated.offset() + deflated.compressedSize(),
          Gzip.trailer(deflated.crc(), deflated.size()));
    }
  }

  private void serveLogView(
      HttpServerExchange exchange, ZipCache.OpenZip zip, WwzRequest request, ZipArchiveEntry entry)
      throws IOException {
    String html =
        logViews.render(
            zip,
            request.zipPath(),
            entry,
            new Query(exchange).optional("from").filter(f -> !f.isEmpty()));
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    headers.put(NOSNIFF, "nosniff");
    headers.put(CSP, LogViewEntry.POLICY);
    headers.put(Headers.CACHE_CONTROL, "no-cache");
    headers.put(Headers.VARY, Gzip.VARY);
    sendText(exchange, html, Gzip.accepted(exchange));
  }

  /** The line numbers of a task log that hold {@code search} (the log view's search), as JSON. */
  private void serveSearch(HttpServerExchange exchange, ZipCache.OpenZip zip, ZipArchiveEntry entry)
      throws IOException {
    String json = logViews.search(zip, entry, new Query(exchange));
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, "application/json");
    headers.put(NOSNIFF, "nosniff");
    headers.put(CSP, "sandbox");
    headers.put(Headers.CACHE_CONTROL, "no-cache");
    headers.put(Headers.VARY, Gzip.VARY);
    sendText(exchange, json, Gzip.accepted(exchange));
  }

  /** A page the server made, gzipped for a client that takes it. */
  private static void sendText(HttpServerExchange exchange, String text, boolean gzip) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (gzip) {
      bytes = Gzip.compress(bytes);
      exchange.getResponseHeaders().put(Headers.CONTENT_ENCODING, "gzip");
    }
    exchange.setResponseContentLength(bytes.length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }
  }

  /** The plain bytes of {@code entry} in this version of the zip, inflated on the first ask. */
  private BufferCache.Hit cached(ZipCache.OpenZip zip, ZipArchiveEntry entry) throws IOException {
    String name = zip.cacheName(entry);
    BufferCache.Hit cached = entries.get(name, zip.key);
    if (cached == null) {
      cached = new BufferCache.Hit(EntryBytes.read(zip.zip, entry), head(zip, entry));
      entries.put(name, zip.key, cached.bytes().duplicate(), cached.head());
    }
    return cached;
  }

  /** The head of {@code entry}'s plain bytes in this version of the zip. */
  private static Head head(ZipCache.OpenZip zip, ZipArchiveEntry entry) {
    String tag = tag(zip, entry);
    return new Head(
        ContentTypes.of(entry.getName()),
        tag,
        "\"" + tag + "\"",
        zip.lastModified,
        zip.modifiedMillis);
  }

  /** A 304 if the client has {@code tag}; it carries the sandbox too, as every zip answer does. */
  private static boolean notModified(
      HttpServerExchange exchange, ZipCache.OpenZip zip, String tag) {
    untrusted(exchange);
    return Conditional.notModified(exchange, tag, zip.modifiedMillis);
  }

  private static void headers(
      HttpServerExchange exchange, String type, ZipCache.OpenZip zip, String etag) {
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, type);
    headers.put(Headers.ETAG, etag);
    headers.put(Headers.LAST_MODIFIED, zip.lastModified);
    untrusted(exchange);
  }

  /** The one place zip content is answered: no per-type list to forget a type in. */
  static void untrusted(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
    exchange.getResponseHeaders().put(CSP, "sandbox");
  }

  @Override
  public void close() {
    zips.close();
    inflated.close();
    logIndex.close();
  }

  /** The zip's path under the site root and the entry path inside it. */
  record WwzRequest(String zipPath, String entry) {
    static WwzRequest parse(String path) {
      int at = path.indexOf(WWZ_SLASH);
      int start = path.startsWith("/") ? 1 : 0;
      int end = at < 0 ? path.length() : at + WWZ.length();
      String zip = path.substring(start, Math.max(start, end));
      String entry = at < 0 ? "" : path.substring(at + WWZ_SLASH.length());
      // Each segment of the zip's path: not empty, not hidden, no backslash or control character
      // (read in place).
      int segment = 0;
      for (int i = 0; i <= zip.length(); i++) {
        char c = i == zip.length() ? '/' : zip.charAt(i);
        if ((c == '/' && (i == segment || zip.charAt(segment) == '.'))
            || c == '\\'
            || c < 0x20
            || c == 0x7f) {
          throw new BadInput(
              "path '"
                  + Printable.of(zip)
                  + "' must not have empty or hidden segments, backslashes or control characters");
        }
        if (c == '/') {
          segment = i + 1;
        }
      }
      return new WwzRequest(zip, entry);
    }
  }
}
