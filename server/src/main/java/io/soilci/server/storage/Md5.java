package io.soilci.server.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The MD5 of bytes, as S3 keeps it in a single-part object's ETag ({@link ObjectStore#hasMd5}). */
public final class Md5 {
  private Md5() {}

  /** A new MD5 digest (every Java platform has one). */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no MD5, which every Java platform must", e);
    }
  }

  /** The MD5 of {@code bytes}. */
  public static byte[] of(byte[] bytes) {
    return digest().digest(bytes);
  }

  /**
   * The MD5 of {@code bytes} in lower-case hex, as an ETag and an announcement of pages hold it.
   */
  public static String hex(byte[] bytes) {
    return toHex(of(bytes));
  }

  /** {@code md5}, an MD5 {@link #of} gave, in lower-case hex as {@link #hex} writes it. */
  public static String toHex(byte[] md5) {
    return HexFormat.of().formatHex(md5);
  }

  /** Whether {@code text} is an MD5 as {@link #hex} writes it: 32 of {@code 0-9a-f}. */
  public static boolean isHex(String text) {
    if (text.length() != 32) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
