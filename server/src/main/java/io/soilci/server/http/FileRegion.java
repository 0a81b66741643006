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
 * Non-blocking: each copy runs on a worker thread, and a client that stops reading holds its
 * connection until the write timeout, never a thread. The caller sets the headers and the length.
 */
public final class FileRegion {
  private static final int FIRST_BYTES = 16 * 1024;

  private final HttpServerExchange exchange;
  private final FileChannel file;
  private final ByteBuffer head;
  private final ByteBuffer tail;
  private final long end;
  private long position;
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
    if (!head.hasRemaining() && from < to) {
      // Undertow copies the first bytes after the answer's headers from the channel's own
      // position, not the one asked for (a shared channel's is anywhere): they go as the head.
      head = ByteBuffer.allocate((int) Math.min(FIRST_BYTES, to - from));
      while (head.hasRemaining()) {
        if (file.read(head, from + head.position()) < 0) {
          throw new IOException("the file ends before byte " + to + " of its region");
        }
      }
      from += head.flip().remaining();
    }
    FileRegion region = new FileRegion(exchange, file, head, from, to, tail);
    // Dispatched, so Undertow does not end the exchange when the handler returns.
    exchange.dispatch(SameThreadExecutor.INSTANCE, region::start);
  }

  private void start() {
    StreamSinkChannel out = exchange.getResponseChannel();
    channel = out;
    out.getWriteSetter()
        .set(
            ready -> {
              // Called on the IO thread when the client takes more: copy on a worker thread.
              ready.suspendWrites();
              exchange.getConnection().getWorker().execute(this::pump);
            });
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
