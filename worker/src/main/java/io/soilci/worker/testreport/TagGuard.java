package io.soilci.worker.testreport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses an XML tag longer than {@link #MAX_TAG_BYTES}: the JDK's reader holds a tag's attributes
 * whole (text and CDATA it gives in chunks), so one huge attribute would take the heap. Looks at
 * the bytes only: a tag runs from {@code <} to the {@code >} outside quotes; comments and CDATA
 * sections are passed over whatever their length.
 */
final class TagGuard extends FilterInputStream {
  static final int MAX_TAG_BYTES = 1024 * 1024;

  private static final byte[] COMMENT = {'!', '-', '-'};
  private static final byte[] CDATA = {'!', '[', 'C', 'D', 'A', 'T', 'A', '['};

  private enum State {
    TEXT,
    TAG,
    COMMENT,
    CDATA
  }

  private final byte[] prefix = new byte[CDATA.length];
  private State state = State.TEXT;
  private int tagBytes;
  private int quote;
  private int last;
  private int beforeLast;

  TagGuard(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      see((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    for (int i = offset; i < offset + Math.max(n, 0); i++) {
      see(buffer[i]);
    }
    return n;
  }

  private void see(byte b) throws IOException {
    switch (state) {
      case TEXT -> {
        if (b == '<') {
          state = State.TAG;
          tagBytes = 0;
          quote = 0;
        }
      }
      case TAG -> {
        tagBytes++;
        if (tagBytes > MAX_TAG_BYTES) {
          throw new IOException(
              "a tag is longer than " + MAX_TAG_BYTES + " bytes (its attributes are read whole)");
        }
        if (tagBytes <= CDATA.length) {
          if (tagBytes == COMMENT.length && b == '-' && last == '-' && beforeLast == '!') {
            state = State.COMMENT;
          } else if (tagBytes == CDATA.length && b == '[' && startsCdata()) {
            state = State.CDATA;
          }
        }
        if (state == State.TAG) {
          if (quote == 0 && (b == '"' || b == '\'')) {
            quote = b;
          } else if (quote == b) {
            quote = 0;
          } else if (quote == 0 && b == '>') {
            state = State.TEXT;
          }
        }
        prefix[Math.min(tagBytes, CDATA.length) - 1] = b;
      }
      case COMMENT -> {
        if (b == '>' && last == '-' && beforeLast == '-') {
          state = State.TEXT;
        }
      }
      case CDATA -> {
        if (b == '>' && last == ']' && beforeLast == ']') {
          state = State.TEXT;
        }
      }
    }
    beforeLast = last;
    last = b;
  }

  private boolean startsCdata() {
    for (int i = 0; i < CDATA.length - 1; i++) {
      if (prefix[i] != CDATA[i]) {
        return false;
      }
    }
    return true;
  }
}
