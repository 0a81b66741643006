package io.soilci.worker.workspace;

import io.soilci.result.JobMeta;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a workspace was made ready for a job: from the cache (a hit, perhaps after fetching new
 * commits) or prepared anew (a miss: not cached, or stale), how long that took and how long the
 * base image pull took when there was one.
 */
public record Preparation(
    String name,
    String key,
    boolean cacheHit,
    Duration prepareTime,
    @Nullable Duration imagePullTime,
    Map<String, String> commits,
    @Nullable String image) {
  /** Job metadata key: {@code hit} or {@code miss}. */
  public static final String WORKSPACE_CACHE = JobMeta.WORKSPACE_CACHE;

  /** Job metadata key: seconds spent making the workspace ready, e.g. {@code 0.412}. */
  public static final String WORKSPACE_PREPARE_TIME = JobMeta.WORKSPACE_PREPARE_TIME;

  /** Job metadata key: Soil's {@code image-pull-time}, in {@code time -p}'s form. */
  public static final String IMAGE_PULL_TIME = JobMeta.IMAGE_PULL_TIME;

  public Preparation {
    commits = Map.copyOf(commits);
  }

  /** The keys this preparation adds to the job's JSON. */
  public Map<String, String> jobMeta() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(WORKSPACE_CACHE, cacheHit ? "hit" : "miss");
    meta.put(WORKSPACE_PREPARE_TIME, seconds(prepareTime));
    if (imagePullTime != null) {
      meta.put(IMAGE_PULL_TIME, "real " + seconds(imagePullTime));
    }
    return meta;
  }

  static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.3f", duration.toNanos() / 1e9);
  }
}
