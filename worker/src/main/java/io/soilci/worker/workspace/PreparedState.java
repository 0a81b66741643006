package io.soilci.worker.workspace;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a cache entry holds, written after its prepared folder is complete: the commit checked out
 * per repository path, the image the setup was committed to (null for local), the base image it was
 * built on, the fingerprint of the prepared folder and a generation that grows with every change (a
 * new commit fetched), so that instances made from an older one are recognised.
 */
record PreparedState(
    @JsonProperty("key") String key,
    @JsonProperty("provider") String provider,
    @JsonProperty("generation") long generation,
    @JsonProperty("commits") Map<String, String> commits,
    @JsonProperty("image") @Nullable String image,
    @JsonProperty("base_image_id") @Nullable String baseImageId,
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("prepared_at") long preparedAt) {
  PreparedState {
    commits = java.util.Collections.unmodifiableMap(new TreeMap<>(commits));
  }

  /** The same state after {@code commits} were checked out and the folder changed. */
  PreparedState updated(Map<String, String> commits, String fingerprint) {
    return new PreparedState(
        key, provider, generation + 1, commits, image, baseImageId, fingerprint, preparedAt);
  }
}
