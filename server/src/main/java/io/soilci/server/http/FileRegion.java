package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.jspecify.annotations.Nullable;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Sends a part of a file as an answer's body, with optional bytes before and after it (a gzip
 * member's header and trailer around a zip entry's DEFLATE data): the file's bytes go by {@link
 * FileChannel#transferTo} (sendfile once the answer's headers are out), never through the heap.
 * Non-blocking: a client that stops reading holds its connection until the write timeout, never a
 * thread. Once the client is ready for more, the copy goes on on the IO thread, as nginx sends
 * files from its event loop: a sendfile of bytes in the page cache costs less than the hop to a
 * worker thread and back (a file not in the page cache is read by that sendfile, holding the IO
 * thread meanwhile, as it holds nginx's). The caller sets the headers and the length.
 */
public final class FileRegion {
  private final HttpServerExchange exchange;
  private final FileChannel file;
  private final ByteBuffer head;
  private final ByteBuffer tail;
  private final long end;
  private long position;
  private boolean headersOut;
  private @Nullable StreamSinkChannel channel;

  private FileRegion(
      HttpServerExchange exchange,
      FileChannel file,
      ByteBuffer head,
      long from,
      long to,
      ByteBuffer tail) {
    this.exchange = exchange;
    this.file = file;
    this.head = head;
    this.position = from;
    this.end = to;
    this.tail = tail;
  }

  /**
   * Starts sending {@code head}, bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code
   * file}, then {@code tail}; the exchange ends when all is sent or the client is gone. The file
   * stays open (it may be shared: only positional reads are used); closing it under a send cuts
   * that answer short.
   */
  public static void send(
      HttpServerExchange exchange,
      FileChannel file,
      ByteBuffer head,
      long from,
      long to,
      ByteBuffer tail)
      throws IOException {
    FileRegion region = new FileRegion(exchange, file, head, from, to, tail);
    // Dispatched, so Undertow does not end the exchange when the handler returns.
    exchange.dispatch(SameThreadExecutor.INSTANCE, region::start);
  }

  private void start() {
    StreamSinkChannel out = exchange.getResponseChannel();
    channel = out;
    // Called on the IO thread when the client takes more.
    out.getWriteSetter().set(ready -> pump());
    pump();
  }

  private void pump() {
    StreamSinkChannel out = channel;
    if (out == null) {
      return;
    }
    try {
      if (!write(out, head)) {
        return;
      }
      // Undertow copies a file's bytes that would go out with the answer's headers from the
      // channel's own position, not the one asked for (a shared channel's is anywhere): the
      // headers go first, then sendfile takes the position given.
      if (!headersOut) {
        if (!out.flush()) {
          out.resumeWrites();
          return;
        }
        headersOut = true;
      }
      while (position < end) {
        long n = out.transferFrom(file, position, end - position);
        if (n < 0) {
          throw new IOException("the file ends before byte " + end + " of its region");
        }
        if (n == 0) {
          if (file.size() < end) {
            throw new IOException("the file shrank while it was sent");
          }
          out.resumeWrites();
          return;
        }
        position += n;
      }
      if (!write(out, tail)) {
        return;
      }
      out.shutdownWrites();
      if (out.flush()) {
        exchange.endExchange();
      } else {
        out.getWriteSetter()
            .set(
                ChannelListeners.flushingChannelListener(
                    flushed -> exchange.endExchange(), (failed, e) -> abort()));
        out.resumeWrites();
      }
    } catch (IOException | RuntimeException e) {
      abort();
    }
  }

  /** Writes what the client takes now; false (writes resumed) if some is left. */
  private static boolean write(StreamSinkChannel out, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      if (out.write(bytes) == 0) {
        out.resumeWrites();
        return false;
      }
    }
    return true;
  }

  private void abort() {
    IoUtils.safeClose(exchange.getConnection());
    exchange.endExchange();
  }
}
