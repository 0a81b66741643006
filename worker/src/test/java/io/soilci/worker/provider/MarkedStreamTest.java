package io.soilci.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MarkedStreamTest {
  private static final String MARK = "soil-0123";

  @Test
  void splitsTasksAtTheMarkKeepingEveryByteOfTheirOutput() throws Exception {
    String stream = "\nsoil-0123 ready\nline 1\n\nno newline\nsoil-0123 0\n\nsoil-0123 12\n";
    MarkedStream marked = new MarkedStream(in(stream, 1 << 20), MARK);

    assertThat(next(marked)).isEqualTo(new Part("", "ready"));
    assertThat(next(marked)).isEqualTo(new Part("line 1\n\nno newline", "0"));
    assertThat(next(marked)).isEqualTo(new Part("", "12"));
    assertThat(marked.copyUntilMark(new ByteArrayOutputStream())).isNull();
  }

  @Test
  void keepsTextThatOnlyStartsLikeTheMark() throws Exception {
    String output = "a\nsoil-01\nsoil-0124 x\n\n\nsoil-012";
    MarkedStream marked = new MarkedStream(in(output + "\nsoil-0123 3\n", 1 << 20), MARK);

    assertThat(next(marked)).isEqualTo(new Part(output, "3"));
  }

  @Test
  void findsTheMarkAcrossReadsOfOneByte() throws Exception {
    String output = "x\nsoil-01\n\nsoil-0123";
    MarkedStream marked = new MarkedStream(in(output + "\nsoil-0123 7\nrest", 1), MARK);

    assertThat(next(marked)).isEqualTo(new Part(output, "7"));
  }

  @Test
  void returnsNullAndTheOutputSoFarWhenTheStreamEnds() throws Exception {
    MarkedStream marked = new MarkedStream(in("partial\nsoil-01", 3), MARK);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    String word = marked.copyUntilMark(sink);

    assertThat(word).isNull();
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("partial\nsoil-01");
  }

  @Test
  void flushesWhatTheTaskPrintedWhenItPausesBeforeTheTaskEnds() throws Exception {
    PipedOutputStream task = new PipedOutputStream();
    MarkedStream marked = new MarkedStream(new PipedInputStream(task, 1 << 16), MARK);
    List<String> flushed = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream sink =
        new ByteArrayOutputStream() {
          @Override
          public void flush() {
            flushed.add(toString(StandardCharsets.UTF_8));
          }
        };
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<String> word = reader.submit(() -> marked.copyUntilMark(sink));

      task.write("line 1\n".getBytes(StandardCharsets.UTF_8));
      task.flush();
      for (int i = 0; i < 100 && flushed.isEmpty(); i++) {
        Thread.sleep(50);
      }
      List<String> beforeTheEnd = List.copyOf(flushed);
      task.write("\nsoil-0123 0\n".getBytes(StandardCharsets.UTF_8));
      task.flush();

      // The line's newline waits for the next byte: it may begin the mark that ends the task.
      assertThat(beforeTheEnd).containsExactly("line 1");
      assertThat(word.get(10, TimeUnit.SECONDS)).isEqualTo("0");
    } finally {
      reader.shutdownNow();
    }
  }

  private record Part(String output, String word) {}

  private static Part next(MarkedStream marked) throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    String word = marked.copyUntilMark(sink);
    return new Part(sink.toString(StandardCharsets.UTF_8), String.valueOf(word));
  }

  /** A stream that returns at most {@code chunk} bytes a read. */
  private static InputStream in(String text, int chunk) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }
}
