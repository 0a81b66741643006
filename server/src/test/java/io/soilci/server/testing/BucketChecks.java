package io.soilci.server.testing;

import io.soilci.server.storage.ObjectHeaders;
import io.soilci.server.storage.ObjectKeys;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The bucket's published copy of a site against a site folder: every page, status file, badge and
 * asset (every file but a job's three and hidden or temp files), byte for byte.
 */
public final class BucketChecks {
  private BucketChecks() {}

  /**
   * What s3proxy's filesystem backend leaves of a PUT it was SIGKILLed in: the temp file it writes
   * before renaming it into place, {@code KEY-UUID}, which later listings name as an object. Not
   * Soil's; a real S3 server has no such thing.
   */
  private static final Pattern S3PROXY_TEMP =
      Pattern.compile(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Whether the page mirror keeps {@code key} in the bucket. */
  public static boolean isPage(String key) {
    if (!ObjectKeys.isValid(key)
        || ObjectHeaders.isJobFile(key)
        || S3PROXY_TEMP.matcher(key).matches()) {
      return false;
    }
    return Arrays.stream(key.split("/")).noneMatch(s -> s.startsWith("."));
  }

  /**
   * Keys of pages that differ between {@code bucket} and {@code site} or exist on one side only.
   */
  public static List<String> pageDifferences(ObjectStore bucket, Path site) throws IOException {
    return differences(bucket, site, BucketChecks::isPage, BucketChecks::isPage);
  }

  /**
   * Keys of job files ({@code HOST/RUN/JOB.wwz|tsv|json}) that differ between {@code bucket} and
   * {@code site} or exist on one side only: the bucket's jobs must be the site's, so that {@code
   * regen} of the bucket is the site.
   */
  public static List<String> jobFileDifferences(ObjectStore bucket, Path site) throws IOException {
    return differences(
        bucket,
        site,
        key ->
            ObjectKeys.isValid(key)
                && ObjectHeaders.isJobFile(key)
                && Arrays.stream(key.split("/")).noneMatch(s -> s.startsWith(".")),
        key -> ObjectHeaders.isJobFile(key) && !S3PROXY_TEMP.matcher(key).matches());
  }

  /**
   * Keys that differ between {@code bucket} and {@code site} or exist on one side only, of the
   * site's files {@code inSite} and the bucket's objects {@code inBucket}: one walk of the site,
   * one listing of the bucket.
   */
  private static List<String> differences(
      ObjectStore bucket, Path site, Predicate<String> inSite, Predicate<String> inBucket)
      throws IOException {
    Set<String> local = new TreeSet<>();
    for (String key : SiteTrees.files(site)) {
      if (inSite.test(key)) {
        local.add(key);
      }
    }
    Set<String> stored = new TreeSet<>();
    for (StoredObject object : bucket.list("")) {
      if (inBucket.test(object.key())) {
        stored.add(object.key());
      }
    }
    List<String> differ = new ArrayList<>();
    Set<String> all = new TreeSet<>(local);
    all.addAll(stored);
    for (String key : all) {
      if (!local.contains(key)) {
        differ.add(key + " (only in the bucket)");
      } else if (!stored.contains(key)) {
        differ.add(key + " (not in the bucket)");
      } else {
        try (InputStream in = bucket.open(key)) {
          if (!Arrays.equals(in.readAllBytes(), Files.readAllBytes(site.resolve(key)))) {
            differ.add(key + " (other bytes in the bucket)");
          }
        } catch (NoSuchFileException e) {
          differ.add(key + " (deleted while compared)");
        }
      }
    }
    return differ;
  }

  /** The keys of job files ({@code HOST/RUN/JOB.wwz|tsv|json}) in {@code bucket}. */
  public static Set<String> jobFiles(ObjectStore bucket) throws IOException {
    Set<String> keys = new TreeSet<>();
    for (StoredObject object : bucket.list("")) {
      if (ObjectHeaders.isJobFile(object.key())) {
        keys.add(object.key());
      }
    }
    return keys;
  }
}
