package io.soilci.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** A secret stored as PBKDF2-HMAC-SHA256 of it with a random salt; checked in constant time. */
record SecretHash(byte[] salt, int iterations, byte[] hash) {
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
  static final int ITERATIONS = 600_000;

  private static final int BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  SecretHash {
    salt = salt.clone();
    hash = hash.clone();
  }

  static SecretHash of(String secret, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new SecretHash(salt, iterations, derive(secret, salt, iterations));
  }

  /**
   * A hash no known secret gives (random salt and random bytes), made without running the KDF:
   * checking a secret against it costs the same KDF as against a stored one and never matches.
   */
  static SecretHash unmatchable(int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = new byte[BYTES];
    RANDOM.nextBytes(hash);
    return new SecretHash(salt, iterations, hash);
  }

  /** A fresh random secret: 32 bytes, URL-safe base64. */
  static String newSecret() {
    byte[] bytes = new byte[BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  boolean matches(String secret) {
    return MessageDigest.isEqual(hash, derive(secret, salt, iterations));
  }

  private static byte[] derive(String secret, byte[] salt, int iterations) {
    char[] chars = secret.toCharArray();
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(chars, salt, iterations, BYTES * 8))
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }

  /** SHA-256 of a secret: the key of the verified-token cache (never the secret itself). */
  static String digest(String name, String secret) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((name + "\0" + secret).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
