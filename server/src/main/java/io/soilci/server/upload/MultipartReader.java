package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.Printable;
import io.soilci.server.config.Limits;
import io.soilci.server.http.HttpError;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code multipart/form-data} body part by part as it arrives, never holding a whole part
 * in memory. Enforces the request size and part count of {@link Limits}.
 */
final class MultipartReader
    extends AbstractFileUpload<HttpServerExchange, DiskFileItem, DiskFileItemFactory> {

  /** One part: its field name, the file name the client gave (never used as a path), its body. */
  record Part(String field, @Nullable String fileName, InputStream body) {}

  /** Receives each part in order; the part's body must be consumed before returning. */
  interface PartConsumer {
    void accept(Part part) throws IOException;
  }

  private final Limits limits;

  MultipartReader(Limits limits) {
    this.limits = limits;
    setMaxSize(limits.maxRequestBytes());
    setMaxFileSize(limits.maxRequestBytes());
    setMaxPartHeaderSize(Math.min(limits.maxHeaderBytes(), 64 * 1024));
    setHeaderCharset(StandardCharsets.UTF_8);
  }

  /** Refuses a body that says it is too large before reading any of it. */
  void requireDeclaredSizeWithinLimit(HttpServerExchange exchange) {
    long declared = exchange.getRequestContentLength();
    if (declared > limits.maxRequestBytes()) {
      throw tooLarge();
    }
  }

  private HttpError tooLarge() {
    return HttpError.tooLarge(
        "request body is larger than the limit of " + limits.maxRequestBytes() + " bytes");
  }

  /** The size error to answer: a part's headers have their own, much smaller limit. */
  private HttpError tooLarge(FileUploadSizeException e) {
    if (String.valueOf(e.getMessage()).startsWith("Header section")) {
      return HttpError.tooLarge(
          "a part's headers are larger than the limit of " + getMaxPartHeaderSize() + " bytes");
    }
    return tooLarge();
  }

  /**
   * Hands every part to {@code consumer}, in order; returns once the body is read to its end. A
   * body that ends before its {@code Content-Length} (or last chunk) is refused with 400 even when
   * its parts were complete: the caller stores nothing then.
   */
  void read(HttpServerExchange exchange, PartConsumer consumer) throws IOException {
    requireDeclaredSizeWithinLimit(exchange);
    requireMultipart(exchange);
    ExchangeRequest request = new ExchangeRequest(exchange);
    try {
      FileItemInputIterator parts = getItemIterator(request);
      int count = 0;
      while (parts.hasNext()) {
        FileItemInput item = parts.next();
        if (++count > limits.maxParts()) {
          throw new BadInput("request has more than " + limits.maxParts() + " parts");
        }
        try (InputStream body = item.getInputStream()) {
          consumer.accept(new Part(item.getFieldName(), fileName(item), body));
        }
      }
      request.requireWholeBody();
    } catch (IOException e) {
      Optional<BadInput> cut = request.cutShort();
      if (cut.isPresent()) {
        cut.get().addSuppressed(e);
        throw cut.get();
      }
      throw translate(e);
    } catch (InvalidPathException e) {
      throw nulInName("a part's", e);
    }
  }

  /** The part's file name; FileUpload refuses one holding a NUL with an unchecked exception. */
  private static @Nullable String fileName(FileItemInput item) {
    try {
      return item.getName();
    } catch (InvalidPathException e) {
      throw nulInName("part '" + Printable.of(item.getFieldName()) + "'", e);
    }
  }

  private static BadInput nulInName(String whose, InvalidPathException e) {
    return new BadInput(
        whose + " file name '" + Printable.of(e.getInput()) + "' must not contain a NUL character");
  }

  /** FileUpload's limit errors as 413, its parse errors as 400; other I/O failures as they are. */
  private IOException translate(IOException e) {
    // While a part streams, FileUpload wraps its limit errors in plain IOExceptions.
    Throwable cause = e instanceof FileUploadException ? e : e.getCause();
    if (cause instanceof FileUploadSizeException size) {
      throw tooLarge(size);
    }
    if (cause instanceof FileUploadException) {
      throw new BadInput("request is not valid multipart/form-data: " + cause.getMessage());
    }
    return e;
  }

  private static void requireMultipart(HttpServerExchange exchange) {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(MULTIPART_FORM_DATA)) {
      throw new BadInput(
          "Content-Type '" + (type == null ? "" : type) + "' must be multipart/form-data");
    }
  }

  @Override
  public FileItemInputIterator getItemIterator(HttpServerExchange exchange)
      throws FileUploadException, IOException {
    requireMultipart(exchange);
    return getItemIterator(new ExchangeRequest(exchange));
  }

  @Override
  public Map<String, List<DiskFileItem>> parseParameterMap(HttpServerExchange exchange) {
    throw new UnsupportedOperationException("streaming only");
  }

  @Override
  public List<DiskFileItem> parseRequest(HttpServerExchange exchange) {
    throw new UnsupportedOperationException("streaming only");
  }
}
