package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A job's inputs as one hash (mistry's idea): the commit's tree, the task list (or the command
 * printing it), the provider, the image reference or workspace file, the labels and the declared
 * environment. Not in it: the job's name, its run, its timeout and parallelism, the commit's hash
 * (the same tree under another commit is the same input).
 *
 * <p>A container image counts by its digest: a job whose image is named by tag alone ({@code
 * debian:bookworm}) has no key, so it is never reused, because the tag may name another image
 * tomorrow. Naming it {@code debian:bookworm@sha256:…} (or {@code debian@sha256:…}) gives it one.
 */
final class InputKey {
  /** An image reference that ends in a content digest. */
  private static final Pattern PINNED = Pattern.compile(".*@sha256:[0-9a-f]{64}");

  /** Why a job with {@link #of} null has no key, for its view and the submit's answer. */
  static final String TAG_ONLY =
      "not reusable: its image is named by tag, which may move; name it IMAGE@sha256:DIGEST"
          + " (podman image inspect --format '{{.Digest}}' IMAGE) to reuse passed results";

  private InputKey() {}

  /** The key of {@code spec} run on {@code tree}; null when its image is not pinned by digest. */
  static @Nullable String of(String tree, JobSpec spec) {
    if (!pinned(spec)) {
      return null;
    }
    ObjectNode inputs = JsonNodeFactory.instance.objectNode();
    inputs.put("v", 1);
    inputs.put("tree", tree);
    ObjectNode job = spec.toJson();
    job.remove("name");
    job.remove("timeoutSeconds");
    job.remove("parallel");
    inputs.set("job", job);
    try {
      byte[] canonical = QueueLog.JSON.writeValueAsBytes(inputs);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when {@code spec} names no image, or names it by digest. */
  static boolean pinned(JobSpec spec) {
    return spec.image() == null || PINNED.matcher(spec.image()).matches();
  }
}
