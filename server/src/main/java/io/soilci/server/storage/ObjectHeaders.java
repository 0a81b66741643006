package io.soilci.server.storage;

import io.soilci.result.JobFile;
import io.soilci.result.SafeName;
import io.soilci.result.SiteLayout;
import io.soilci.result.WorkerHost;

/**
 * The {@code Cache-Control} a bucket keeps with each object, for a CDN or browser reading the
 * bucket directly (docs/SCALING.md, "Storage"). A job's files ({@code HOST/RUN/JOB.wwz|tsv|json})
 * change only when the same job is published again, so they may be cached a few minutes; every
 * other object is a page, re-rendered whenever a job or event touches it, so it is revalidated on
 * each read (its ETag makes that cheap).
 */
public final class ObjectHeaders {
  /** For a job's three files. */
  public static final String JOB_FILE_CACHE = "public, max-age=300";

  /** For pages, status files, badges and assets. */
  public static final String PAGE_CACHE = "no-cache";

  private ObjectHeaders() {}

  /** The {@code Cache-Control} of the object at {@code key}. */
  public static String cacheControl(String key) {
    return isJobFile(key) ? JOB_FILE_CACHE : PAGE_CACHE;
  }

  /** True for {@code HOST/RUN/JOB.wwz}, {@code .tsv} or {@code .json} of a Soil host folder. */
  public static boolean isJobFile(String key) {
    String[] parts = ObjectKeys.require(key).split("/");
    if (parts.length != 3 || !isHostDir(parts[0]) || !SiteLayout.isRunName(parts[1])) {
      return false;
    }
    String stem = JobFile.stem(parts[2]);
    return !stem.equals(parts[2]) && SafeName.isSafe(stem) && !stem.equals(SiteLayout.RESERVED_JOB);
  }

  private static boolean isHostDir(String name) {
    for (WorkerHost host : WorkerHost.values()) {
      if (SiteLayout.hostDir(host).equals(name)) {
        return true;
      }
    }
    return false;
  }
}
