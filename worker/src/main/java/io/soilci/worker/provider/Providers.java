package io.soilci.worker.provider;

import io.soilci.result.BadInput;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The providers {@code --provider} can name; a new provider is one class and a line here. */
public final class Providers {
  /** Every provider name, in the order help shows them. */
  public static final List<String> NAMES = List.of(LocalProvider.NAME, "podman", "docker");

  private Providers() {}

  /**
   * The provider called {@code name}.
   *
   * @param image the container image, required by the container providers
   * @param containerCli the container CLI (name or path); null for the provider's own name
   */
  public static Provider named(String name, @Nullable String image, @Nullable String containerCli) {
    return named(name, image, containerCli, null);
  }

  /**
   * As {@link #named(String, String, String)}; a container provider mounts the checkout at {@code
   * mountPoint} instead of its own path (a workspace's setup saw its folder there).
   */
  public static Provider named(
      String name,
      @Nullable String image,
      @Nullable String containerCli,
      @Nullable String mountPoint) {
    return switch (name) {
      case LocalProvider.NAME -> {
        if (image != null || containerCli != null) {
          throw new BadInput(
              (image != null ? "--image" : "--container-cli")
                  + " is for a container provider; drop it or add --provider podman");
        }
        yield new LocalProvider();
      }
      case "podman", "docker" -> {
        if (image == null) {
          throw new BadInput("--provider " + name + " needs --image IMAGE, the image tasks run in");
        }
        yield new ContainerProvider(
            name, containerCli == null ? name : containerCli, image, mountPoint);
      }
      default ->
          throw new BadInput(
              "provider '"
                  + name
                  + "' must be one of "
                  + String.join(", ", NAMES)
                  + "; fix --provider");
    };
  }
}
