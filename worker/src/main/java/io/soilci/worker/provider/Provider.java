package io.soilci.worker.provider;

/**
 * A place to run a job's tasks: local processes, a podman or docker container. Adding one is one
 * class implementing this plus a line in {@link Providers}.
 */
public interface Provider {
  /** The name given to {@code --provider}. */
  String name();

  /**
   * Starts the job's instance (for containers: prepares the image, starts the container).
   *
   * @throws ProviderFailure when the environment cannot run the job (binary or image missing)
   */
  Instance start(InstanceSpec spec);
}
