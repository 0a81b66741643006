package io.soilci.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in a bucket of any S3 API (AWS, MinIO, Ceph RGW, Garage, s3proxy),
 * addressed path-style, every key under the configured prefix. One PUT per object, so a reader gets
 * the old object or the new. Every failure of the service or the network is an {@link IOException}
 * naming the endpoint, the bucket and the key.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Pattern UTF_8_CHARSET =
      Pattern.compile("charset=utf-8", Pattern.CASE_INSENSITIVE);
  private static final int NOT_FOUND = 404;
  private static final int PRECONDITION_FAILED = 412;
  private static final int RANGE_NOT_SATISFIABLE = 416;

  private final StorageSettings settings;
  private final S3Client client;

  private S3ObjectStore(StorageSettings settings, S3Client client) {
    this.settings = settings;
    this.client = client;
  }

  /**
   * A store on the bucket of {@code settings}, once the bucket answered: a missing bucket, wrong
   * credentials or an endpoint that does not answer fail here, at start, not at the first upload.
   */
  public static S3ObjectStore open(StorageSettings settings) throws IOException {
    S3Client client =
        S3Client.builder()
            .endpointOverride(settings.endpoint())
            .region(Region.of(settings.region()))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        settings.credentials().accessKey(), settings.credentials().secretKey())))
            // Checksums only where the API requires them: S3-compatible servers other than AWS
            // do not all take the SDK's default trailing checksums.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60))
                    .build())
            .build();
    S3ObjectStore store = new S3ObjectStore(settings, client);
    try {
      store.checkBucket();
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
    return store;
  }

  private void checkBucket() throws IOException {
    try {
      client.headBucket(b -> b.bucket(settings.bucket()));
    } catch (NoSuchBucketException e) {
      throw missingBucket();
    } catch (S3Exception e) {
      if (e.statusCode() == NOT_FOUND) {
        throw missingBucket();
      }
      throw failure("check of the bucket", "", e);
    } catch (SdkException e) {
      throw failure("check of the bucket", "", e);
    }
  }

  private IOException missingBucket() {
    return new IOException(
        "bucket '"
            + settings.bucket()
            + "' does not exist at "
            + settings.endpoint()
            + ": create it (e.g. aws s3 mb s3://"
            + settings.bucket()
            + " --endpoint-url "
            + settings.endpoint()
            + ") or name an existing one in config key 'distributed.storage.bucket'");
  }

  private IOException failure(String what, String bucketKey, SdkException e) {
    if (e instanceof NoSuchBucketException) {
      return missingBucket();
    }
    String where = settings.endpoint() + " bucket '" + settings.bucket() + "'";
    String object = bucketKey.isEmpty() ? "" : " of '" + bucketKey + "'";
    if (e instanceof S3Exception s3) {
      return new IOException(
          "S3 "
              + what
              + object
              + " at "
              + where
              + " failed with HTTP "
              + s3.statusCode()
              + " "
              + (s3.awsErrorDetails() == null
                  ? String.valueOf(s3.getMessage())
                  : s3.awsErrorDetails().errorCode() + ": " + s3.awsErrorDetails().errorMessage()),
          e);
    }
    String reason = e instanceof SdkClientException ? "could not be reached" : "failed";
    return new IOException(
        "S3 " + what + object + " at " + where + " " + reason + ": " + e.getMessage(), e);
  }

  private PutObjectRequest putRequest(String key, String contentType) {
    return PutObjectRequest.builder()
        .bucket(settings.bucket())
        .key(settings.bucketKey(key))
        .contentType(signable(contentType))
        .cacheControl(ObjectHeaders.cacheControl(key))
        .build();
  }

  /**
   * {@code contentType} with a UTF-8 charset spelled {@code UTF-8}: the same type (charset names
   * are case-insensitive), in the spelling Jetty-based servers (s3proxy) hand on unchanged, where
   * {@code utf-8} reaches their signature check rewritten and fails it (SignatureDoesNotMatch).
   */
  static String signable(String contentType) {
    return UTF_8_CHARSET.matcher(contentType).replaceAll("charset=UTF-8");
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    PutObjectRequest request = putRequest(key, contentType);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no file to put at '" + key + "'");
    }
    try {
      client.putObject(request, RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw failure("put", request.key(), e);
    }
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) throws IOException {
    PutObjectRequest request = putRequest(key, contentType);
    try {
      client.putObject(request, RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw failure("put", request.key(), e);
    }
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    Optional<HeadObjectResponse> head = headObject(key);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    String etag = head.get().eTag();
    if (etag == null || etag.isEmpty()) {
      throw new IOException(
          "object "
              + settings.bucketKey(key)
              + " in bucket "
              + settings.bucket()
              + " has no ETag; the S3 server must give one for every object (MinIO, Ceph RGW,"
              + " Garage and s3proxy do)");
    }
    return Optional.of(new StoredObject(key, head.get().contentLength(), etag));
  }

  /** The object's HEAD, or empty when there is no object at {@code key}. */
  private Optional<HeadObjectResponse> headObject(String key) throws IOException {
    String bucketKey = settings.bucketKey(key);
    try {
      return Optional.of(client.headObject(h -> h.bucket(settings.bucket()).key(bucketKey)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == NOT_FOUND && !(e instanceof NoSuchBucketException)) {
        return Optional.empty();
      }
      throw failure("head", bucketKey, e);
    } catch (SdkException e) {
      throw failure("head", bucketKey, e);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    String bucketKey = settings.bucketKey(key);
    try {
      return client.getObject(g -> g.bucket(settings.bucket()).key(bucketKey));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(bucketKey, null, "no object in bucket " + settings.bucket());
    } catch (SdkException e) {
      throw failure("get", bucketKey, e);
    }
  }

  @Override
  public byte[] read(String key, long offset, int length) throws IOException {
    checkRange(key, offset, length);
    String bucketKey = settings.bucketKey(key);
    if (length == 0) {
      if (head(key).isEmpty()) {
        throw new NoSuchFileException(bucketKey, null, "no object in bucket " + settings.bucket());
      }
      return new byte[0];
    }
    try {
      return ranged(key, offset, length, null);
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(bucketKey, null, "no object in bucket " + settings.bucket());
    }
  }

  @Override
  public byte[] readVersion(StoredObject version, long offset, int length) throws IOException {
    checkRange(version.key(), offset, length);
    if (length == 0) {
      if (!head(version.key()).map(version::equals).orElse(false)) {
        throw new ObjectChangedException(version);
      }
      return new byte[0];
    }
    try {
      return ranged(version.key(), offset, length, version.etag());
    } catch (NoSuchKeyException e) {
      throw new ObjectChangedException(version);
    } catch (IOException e) {
      if (e.getCause() instanceof S3Exception s3 && s3.statusCode() == PRECONDITION_FAILED) {
        throw new ObjectChangedException(version);
      }
      throw e;
    }
  }

  private static void checkRange(String key, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "range of '" + key + "' from " + offset + " length " + length + " is negative");
    }
  }

  /** One ranged GET, of the version {@code etag} when given; none past the end (416) is empty. */
  private byte[] ranged(String key, long offset, int length, @Nullable String etag)
      throws IOException {
    String bucketKey = settings.bucketKey(key);
    String range = "bytes=" + offset + "-" + (offset + length - 1);
    try (ResponseInputStream<GetObjectResponse> in =
        client.getObject(
            g -> g.bucket(settings.bucket()).key(bucketKey).range(range).ifMatch(etag))) {
      // A server that ignores Range answers 200 with the whole object.
      if (in.response().contentRange() == null && offset > 0) {
        in.skipNBytes(offset);
      }
      return in.readNBytes(length);
    } catch (NoSuchKeyException e) {
      throw e;
    } catch (S3Exception e) {
      if (e.statusCode() == RANGE_NOT_SATISFIABLE) {
        return new byte[0];
      }
      throw failure("ranged get", bucketKey, e);
    } catch (SdkException e) {
      throw failure("ranged get", bucketKey, e);
    }
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    String bucketPrefix = settings.prefix() + ObjectKeys.requirePrefix(prefix);
    List<StoredObject> objects = new ArrayList<>();
    try {
      for (S3Object object :
          client
              .listObjectsV2Paginator(l -> l.bucket(settings.bucket()).prefix(bucketPrefix))
              .contents()) {
        // Objects under the prefix that no key of ours can name (put there by others) are skipped.
        String key = object.key().substring(settings.prefix().length());
        if (ObjectKeys.isValid(key)) {
          listed(key, object.size(), object.eTag()).ifPresent(objects::add);
        }
      }
    } catch (SdkException e) {
      throw failure("list", bucketPrefix, e);
    }
    return List.copyOf(objects);
  }

  /**
   * An object of a listing, with its ETag. s3proxy's filesystem backend lists the temp file of a
   * PUT in flight ({@code KEY-UUID}, renamed into place when complete) without an ETag, and its
   * HEAD has none either; no complete object lacks one. Such an object is read again with a HEAD
   * (it may have been listed in the moment before its ETag was set) and left out if it still has
   * none or is gone: a listing is a moment's view of the complete objects.
   */
  private Optional<StoredObject> listed(String key, long length, @Nullable String etag)
      throws IOException {
    if (etag != null && !etag.isEmpty()) {
      return Optional.of(new StoredObject(key, length, etag));
    }
    Optional<HeadObjectResponse> head = headObject(key);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    String now = head.get().eTag();
    if (now == null || now.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new StoredObject(key, head.get().contentLength(), now));
  }

  @Override
  public boolean hasMd5(StoredObject object, byte[] md5) {
    String etag = object.etag();
    if (etag.length() > 1 && etag.startsWith("\"") && etag.endsWith("\"")) {
      etag = etag.substring(1, etag.length() - 1);
    }
    return etag.equalsIgnoreCase(HexFormat.of().formatHex(md5));
  }

  @Override
  public void delete(String key) throws IOException {
    String bucketKey = settings.bucketKey(key);
    try {
      client.deleteObject(d -> d.bucket(settings.bucket()).key(bucketKey));
    } catch (SdkException e) {
      throw failure("delete", bucketKey, e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
