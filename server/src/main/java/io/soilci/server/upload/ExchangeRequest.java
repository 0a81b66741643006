package io.soilci.server.upload;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.InputStream;
import org.apache.commons.fileupload2.core.AbstractRequestContext;
import org.jspecify.annotations.Nullable;

/** FileUpload's view of an Undertow request: its headers and its blocking body stream. */
final class ExchangeRequest extends AbstractRequestContext<HttpServerExchange> {
  ExchangeRequest(HttpServerExchange exchange) {
    super(
        name -> exchange.getRequestHeaders().getFirst(name),
        exchange::getRequestContentLength,
        exchange);
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
    return getRequest().getInputStream();
  }
}
