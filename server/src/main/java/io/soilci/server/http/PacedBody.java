package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The minimum-progress rule for request bodies: every read of a body counts its bytes per window,
 * and a body that brought fewer than {@code minBytesPerSecond × window} in a whole window is cut
 * (every later read fails), so a client that trickles one byte a second cannot keep an upload
 * permit or a worker thread. {@link ErrorMapper} answers such a request 408 and closes.
 */
public final class PacedBody extends AbstractStreamSourceConduit<StreamSourceConduit> {
  private static final AttachmentKey<HttpError> CUT = AttachmentKey.create(HttpError.class);

  private final HttpServerExchange exchange;
  private final long minBytesPerSecond;
  private final long windowNanos;
  private long windowStart = -1;
  private long bytesInWindow;

  private PacedBody(
      StreamSourceConduit next,
      HttpServerExchange exchange,
      long minBytesPerSecond,
      long windowSeconds) {
    super(next);
    this.exchange = exchange;
    this.minBytesPerSecond = minBytesPerSecond;
    this.windowNanos = windowSeconds * 1_000_000_000L;
  }

  /** Applies the rule to the body of {@code exchange}; call before the body is first read. */
  public static void apply(
      HttpServerExchange exchange, long minBytesPerSecond, long windowSeconds) {
    exchange.addRequestWrapper(
        (factory, ex) -> new PacedBody(factory.create(), ex, minBytesPerSecond, windowSeconds));
  }

  /** The 408 to answer if this request's body was cut for being too slow. */
  public static Optional<HttpError> cut(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(CUT));
  }

  private long count(long n) throws IOException {
    HttpError cut = exchange.getAttachment(CUT);
    if (cut != null) {
      throw new IOException(cut.getMessage());
    }
    long now = System.nanoTime();
    if (windowStart < 0) {
      windowStart = now;
    }
    bytesInWindow += Math.max(0, n);
    if (now - windowStart >= windowNanos) {
      long seconds = windowNanos / 1_000_000_000L;
      if (bytesInWindow < minBytesPerSecond * seconds) {
        HttpError error =
            HttpError.timeout(
                "request body arrived at "
                    + bytesInWindow / seconds
                    + " bytes/s over "
                    + seconds
                    + " s, below the minimum of "
                    + minBytesPerSecond
                    + " bytes/s (guards.minBodyBytesPerSecond); the request was cut, retry on a"
                    + " faster link");
        exchange.putAttachment(CUT, error);
        throw new IOException(error.getMessage());
      }
      windowStart = now;
      bytesInWindow = 0;
    }
    return n;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return (int) count(next.read(dst));
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    return count(next.read(dsts, offs, len));
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return count(next.transferTo(position, count, target));
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    return count(next.transferTo(count, throughBuffer, target));
  }
}
