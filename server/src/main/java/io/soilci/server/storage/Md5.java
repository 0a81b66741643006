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
    return HexFormat.of().formatHex(of(bytes));
  }
}
