package io.soilci.server.wwz;

import io.soilci.server.http.Gzip;
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
 * Sends a deflated zip entry as a gzip member without inflating it: the 10-byte gzip header, the
 * entry's raw DEFLATE bytes copied from the zip file by {@link FileChannel#transferTo} (sendfile
 * where the connection allows), and a trailer of the CRC-32 and size from the zip's directory.
 * Non-blocking like {@link EntryStream}: each copy runs on a worker thread, and a client that stops
 * reading holds its connection until the write timeout, never a thread.
 */
final class GzipEntryStream {
  private final HttpServerExchange exchange;
  private final FileChannel file;
  private final ByteBuffer header = Gzip.header();
  private final ByteBuffer trailer;
  private final long end;
  private long position;
  private @Nullable StreamSinkChannel channel;

  private GzipEntryStream(HttpServerExchange exchange, FileChannel file, DeflatedEntry entry) {
    this.exchange = exchange;
    this.file = file;
    this.position = entry.offset();
    this.end = entry.offset() + entry.compressedSize();
    this.trailer = Gzip.trailer(entry.crc(), entry.size());
  }

  /** Starts sending; the exchange ends when all is sent or the client is gone. */
  static void send(HttpServerExchange exchange, FileChannel file, DeflatedEntry entry) {
    GzipEntryStream stream = new GzipEntryStream(exchange, file, entry);
    // Dispatched, so Undertow does not end the exchange when the handler returns.
    exchange.dispatch(SameThreadExecutor.INSTANCE, stream::start);
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
      if (!write(out, header)) {
        return;
      }
      while (position < end) {
        long n = out.transferFrom(file, position, end - position);
        if (n == 0) {
          if (file.size() < end) {
            throw new IOException("the zip file shrank while it was sent");
          }
          out.resumeWrites();
          return;
        }
        position += n;
      }
      if (!write(out, trailer)) {
        return;
      }
      out.shutdownWrites();
      if (out.flush()) {
        exchange.endExchange();
      } else {
        out.getWriteSetter()
            .set(
                ChannelListeners.flushingChannelListener(
                    done -> exchange.endExchange(), (failed, e) -> abort()));
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
