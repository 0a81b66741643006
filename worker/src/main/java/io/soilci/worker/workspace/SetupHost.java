package io.soilci.worker.workspace;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where a workspace's setup script runs and where what it leaves outside the workspace folder is
 * kept: nowhere for {@code local}, a committed image for {@code podman} and {@code docker}.
 */
interface SetupHost {
  /** How long a setup script may run. */
  Duration SETUP_TIMEOUT = Duration.ofHours(2);

  /** The provider's name, part of the cache key: {@code local}, {@code podman}, {@code docker}. */
  String provider();

  /** Throws a {@code BadInput} when {@code config} lacks what this provider needs. */
  default void check(WorkspaceConfig config) {}

  /**
   * The base image the setup runs on, pulled first when missing, and whether {@code committed} (a
   * result of {@link #setUp}, when not null) still exists; null without images.
   */
  @Nullable BaseImage baseImage(
      WorkspaceConfig config, @Nullable String committed, Consumer<String> progress);

  /**
   * Runs {@code config}'s setup script with the workspace folder {@code dir}; returns the image
   * that keeps its result (null for local).
   */
  @Nullable String setUp(WorkspaceConfig config, String key, Path dir, Consumer<String> progress);

  /** Whether {@code image} (a result of {@link #setUp}) still exists. */
  boolean holds(@Nullable String image);

  /** Removes {@code image} (a result of {@link #setUp}) when it exists. */
  void discard(@Nullable String image);

  /**
   * A base image's id, how long its pull took when it had to be pulled, and whether the committed
   * image asked about exists.
   */
  record BaseImage(String id, @Nullable Duration pullTime, boolean committedExists) {}
}
