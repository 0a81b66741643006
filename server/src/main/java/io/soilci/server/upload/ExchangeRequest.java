package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.commons.fileupload2.core.AbstractRequestContext;
import org.jspecify.annotations.Nullable;

/**
 * FileUpload's view of an Undertow request: its headers and its blocking body stream, whose bytes
 * are counted so that a body that ends before its {@code Content-Length} is told apart.
 */
final class ExchangeRequest extends AbstractRequestContext<HttpServerExchange> {
  private final Counted body;

  ExchangeRequest(HttpServerExchange exchange) {
    super(
        name -> exchange.getRequestHeaders().getFirst(name),
        exchange::getRequestContentLength,
        exchange);
    this.body = new Counted(exchange.getInputStream());
  }

  @Override
  public @Nullable String getCharacterEncoding() {
    String type = getContentType();
    return type == null ? null : Headers.extractQuotedValueFromHeader(type, "charset");
  }

  @Override
  public @Nullable String getContentType() {
    return getRequest().getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
  }

  @Override
  public InputStream getInputStream() {
    return body;
  }

  /**
   * Reads what follows the last part (the multipart epilogue, usually a line end) to the body's
   * end, so that nothing is stored of a body that ends before its {@code Content-Length} (or its
   * last chunk): the parts can be complete while the client sent less than it declared.
   */
  void requireWholeBody() throws IOException {
    byte[] dropped = new byte[8192];
    try {
      while (body.read(dropped) >= 0) {
        // An epilogue carries nothing.
      }
    } catch (IOException e) {
      Optional<BadInput> cut = cutShort();
      if (cut.isPresent()) {
        cut.get().addSuppressed(e);
        throw cut.get();
      }
      throw e;
    }
  }

  /**
   * The 400 of a body that ended (the client closed its side) before the {@code Content-Length} it
   * declared, or before its last chunk; empty when the body is whole so far.
   */
  Optional<BadInput> cutShort() {
    HttpServerExchange exchange = getRequest();
    long declared = exchange.getRequestContentLength();
    long got = body.count;
    // Not exchange.isRequestComplete(): Undertow marks a body that ended early complete too.
    if (!body.failed) {
      return Optional.empty();
    }
    if (declared >= 0 && got < declared) {
      return Optional.of(
          new BadInput(
              "request body stopped after "
                  + got
                  + " of the "
                  + declared
                  + " bytes its Content-Length declared (the client closed it or went silent);"
                  + " nothing was stored: send the whole body, with a Content-Length of its"
                  + " size"));
    }
    if (declared < 0) {
      return Optional.of(
          new BadInput(
              "request body stopped after "
                  + got
                  + " bytes, before its last chunk (the client closed it or went silent);"
                  + " nothing was stored: send the whole body"));
    }
    return Optional.empty();
  }

  /** The body stream, counting the bytes read and noting whether a read failed. */
  private static final class Counted extends FilterInputStream {
    private long count;
    private boolean failed;

    Counted(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n;
      try {
        n = super.read(buffer, offset, length);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] dropped = new byte[(int) Math.min(8192, Math.max(n, 0))];
      int read = dropped.length == 0 ? 0 : read(dropped, 0, dropped.length);
      return Math.max(read, 0);
    }
  }
}
