package io.soilci.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for answers: whether a request takes it, the container's header and trailer (RFC 1952)
 * around a raw DEFLATE stream, and whole bodies compressed.
 */
public final class Gzip {
  /** The header every answer whose body depends on {@code Accept-Encoding} carries. */
  public static final String VARY = "Accept-Encoding";

  /** gzip's header: deflate, no flags, no time, no extra flags, OS unknown. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  /** Bodies smaller than this go out as they are: gzip's 18 bytes would eat the gain. */
  private static final int MIN_BYTES = 256;

  private Gzip() {}

  /**
   * True if the request's {@code Accept-Encoding} takes gzip (RFC 9110 12.5.3): {@code gzip} or
   * {@code x-gzip} with a weight above 0, or {@code *} above 0 without gzip named at 0. A weight
   * that is no number refuses its coding.
   */
  public static boolean accepted(HttpServerExchange exchange) {
    HeaderValues values = exchange.getRequestHeaders().get(Headers.ACCEPT_ENCODING);
    if (values == null) {
      return false;
    }
    Double gzip = null;
    Double any = null;
    for (String value : values) {
      for (String coding : value.split(",", -1)) {
        String[] parts = coding.split(";", -1);
        String name = parts[0].trim().toLowerCase(Locale.ROOT);
        double weight = weight(parts);
        if (name.equals("gzip") || name.equals("x-gzip")) {
          gzip = gzip == null ? weight : Math.max(gzip, weight);
        } else if (name.equals("*")) {
          any = weight;
        }
      }
    }
    return gzip != null ? gzip > 0 : any != null && any > 0;
  }

  private static double weight(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q')) {
        String value = param.substring(1).trim();
        if (value.startsWith("=")) {
          try {
            double q = Double.parseDouble(value.substring(1).trim());
            return q >= 0 && q <= 1 ? q : 0;
          } catch (NumberFormatException e) {
            return 0;
          }
        }
      }
    }
    return 1;
  }

  /** The 10-byte gzip header to put before a raw DEFLATE stream. */
  public static ByteBuffer header() {
    return ByteBuffer.wrap(HEADER.clone());
  }

  /** The 8-byte gzip trailer: the CRC-32 and the size modulo 2^32 of the inflated data. */
  public static ByteBuffer trailer(long crc32, long size) {
    return ByteBuffer.allocate(8)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) crc32)
        .putInt((int) size)
        .flip();
  }

  /** The length of a gzip member around {@code deflateBytes} of DEFLATE data. */
  public static long length(long deflateBytes) {
    return HEADER.length + deflateBytes + 8;
  }

  /** True if a body of {@code size} bytes is worth compressing. */
  public static boolean worthIt(long size) {
    return size >= MIN_BYTES;
  }

  /** {@code bytes} as one gzip member. */
  public static byte[] compress(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
