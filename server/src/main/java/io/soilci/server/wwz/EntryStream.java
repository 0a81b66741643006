package io.soilci.server.wwz;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.xnio.IoUtils;

/**
 * Sends a zip entry too large for the entry cache, one 64 KiB chunk at a time, non-blocking: each
 * chunk is read on a worker thread and written by the IO thread as the client takes it, so a reader
 * that never reads holds one buffer and its connection (until the write timeout), never a thread.
 * At most the entry's declared size is sent: a lying zip cannot make us send more.
 */
final class EntryStream implements IoCallback {
  private static final int CHUNK = 64 * 1024;

  private final HttpServerExchange exchange;
  private final InputStream in;
  private final byte[] chunk = new byte[CHUNK];
  private long left;

  private EntryStream(HttpServerExchange exchange, InputStream in, long size) {
    this.exchange = exchange;
    this.in = in;
    this.left = size;
  }

  /** Starts sending {@code entry}; the exchange ends when it is sent or the client is gone. */
  static void send(HttpServerExchange exchange, ZipFile zip, ZipArchiveEntry entry)
      throws IOException {
    EntryStream stream = new EntryStream(exchange, zip.getInputStream(entry), entry.getSize());
    // Dispatched, so Undertow does not end the exchange when the handler returns: the chunks
    // follow from callbacks, each read on a worker thread.
    exchange.dispatch(SameThreadExecutor.INSTANCE, stream::next);
  }

  private void next() {
    try {
      if (left == 0) {
        in.close();
        exchange.endExchange();
        return;
      }
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
      if (n < 0) {
        // Shorter than declared: the client must not take a cut body for a whole one.
        abort();
        return;
      }
      left -= n;
      exchange.getResponseSender().send(ByteBuffer.wrap(chunk, 0, n), this);
    } catch (IOException | RuntimeException e) {
      abort();
    }
  }

  @Override
  public void onComplete(HttpServerExchange done, Sender sender) {
    // Reading the zip is file I/O: never on the IO thread.
    exchange.getConnection().getWorker().execute(this::next);
  }

  @Override
  public void onException(HttpServerExchange failed, Sender sender, IOException exception) {
    abort();
  }

  private void abort() {
    IoUtils.safeClose(in);
    IoUtils.safeClose(exchange.getConnection());
    exchange.endExchange();
  }
}
