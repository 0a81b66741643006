package io.soilci.server.config;

/**
 * What one request may cost the server. Every upload is checked against these before anything is
 * stored.
 *
 * @param maxRequestBytes largest request body, all parts together
 * @param maxParts most multipart parts in one request
 * @param maxHeaderBytes largest request header block (Undertow's limit) and multipart part header
 * @param maxZipEntries most entries in one wwz
 * @param maxUncompressedBytes largest total of a wwz's entries, uncompressed
 * @param maxCompressionRatio largest uncompressed/compressed ratio of a wwz or one of its entries
 * @param maxUploadsInFlight uploads received at once; more get 503 with {@code Retry-After}
 * @param drainBytes most bytes of a refused body read so the client sees the answer
 */
public record Limits(
    long maxRequestBytes,
    int maxParts,
    int maxHeaderBytes,
    int maxZipEntries,
    long maxUncompressedBytes,
    int maxCompressionRatio,
    int maxUploadsInFlight,
    long drainBytes) {

  public static final Limits DEFAULTS =
      new Limits(256L << 20, 16, 64 * 1024, 50_000, 4L << 30, 200, 8, 8L << 20);

  public Limits {
    positive("maxRequestBytes", maxRequestBytes);
    positive("maxParts", maxParts);
    positive("maxHeaderBytes", maxHeaderBytes);
    positive("maxZipEntries", maxZipEntries);
    positive("maxUncompressedBytes", maxUncompressedBytes);
    positive("maxCompressionRatio", maxCompressionRatio);
    positive("maxUploadsInFlight", maxUploadsInFlight);
    positive("drainBytes", drainBytes);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1: " + value);
    }
  }
}
