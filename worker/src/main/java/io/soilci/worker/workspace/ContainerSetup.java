package io.soilci.worker.workspace;

import io.soilci.result.BadInput;
import io.soilci.worker.provider.BindMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code podman} and {@code docker} providers' setup: the script runs in a container of the
 * workspace's image with the workspace folder bind-mounted at {@link #MOUNT_POINT}, given only the
 * workspace's {@code env}; the container is then committed to a local image that the jobs start
 * from. Both CLIs take the same arguments for what is used here.
 */
final class ContainerSetup implements SetupHost {
  /** Where the workspace folder is mounted in its containers, for the setup and for the jobs. */
  static final String MOUNT_POINT = "/workspace";

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(30);

  private final String provider;
  private final String binary;
  private final HostEnvironment host;

  /**
   * @param provider {@code podman} or {@code docker}, part of the cache key
   * @param binary the CLI to run: a name looked up on the PATH, or a path
   */
  ContainerSetup(String provider, String binary, HostEnvironment host) {
    this.provider = provider;
    this.binary = binary;
    this.host = host;
  }

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public void check(WorkspaceConfig config) {
    requireImage(config);
  }

  @Override
  public BaseImage baseImage(
      WorkspaceConfig config, @Nullable String committed, Consumer<String> progress) {
    String image = requireImage(config);
    if (committed != null) {
      // The usual case, both present: one call for both.
      String ids = imageId(image, committed);
      if (ids != null) {
        return new BaseImage(ids.lines().findFirst().orElse(""), null, true);
      }
    }
    String id = imageId(image);
    Duration pullTime = null;
    if (id == null) {
      progress.accept("pulling " + image);
      long start = System.nanoTime();
      tool(List.of("pull", "-q", image)).run(line -> {});
      pullTime = Duration.ofNanos(System.nanoTime() - start);
      id = tool(List.of("image", "inspect", "--format", "{{.Id}}", image)).run(line -> {}).strip();
    }
    return new BaseImage(id, pullTime, committed != null && imageId(committed) != null);
  }

  /** The ids of {@code images}, a line each, or null when one of them is not here. */
  private @Nullable String imageId(String... images) {
    List<String> command = new ArrayList<>(List.of("image", "inspect", "--format", "{{.Id}}"));
    command.addAll(List.of(images));
    try {
      return tool(command).run(line -> {}).strip();
    } catch (WorkspaceFailure e) {
      return null;
    }
  }

  @Override
  public String setUp(WorkspaceConfig config, String key, Path dir, Consumer<String> progress) {
    String image = requireImage(config);
    String container = "soil-setup-" + key + "-" + Long.toHexString(System.nanoTime());
    String target =
        "localhost/soil-workspace-" + config.name().toLowerCase(Locale.ROOT) + ":" + key;
    try {
      progress.accept("running setup script in " + provider + " container of " + image);
      new Exec(
              "the setup script",
              setupCommand(config, container, dir),
              dir,
              host.forTools(),
              SETUP_TIMEOUT)
          .run(line -> progress.accept("setup: " + line));
      progress.accept("committing image " + target);
      tool(List.of("commit", container, target)).run(line -> {});
      return target;
    } finally {
      tool(List.of("rm", "-f", "--volumes", container)).status();
    }
  }

  private List<String> setupCommand(WorkspaceConfig config, String container, Path dir) {
    List<String> command = new ArrayList<>(List.of(binary, "run", "--name", container));
    command.addAll(BindMount.arguments(dir.toAbsolutePath().toString(), MOUNT_POINT));
    command.addAll(List.of("-w", MOUNT_POINT));
    for (Map.Entry<String, String> entry : config.env().entrySet()) {
      command.addAll(List.of("-e", entry.getKey() + "=" + entry.getValue()));
    }
    command.addAll(List.of(requireImage(config), "sh", "-c", config.setupScript()));
    return command;
  }

  @Override
  public boolean holds(@Nullable String image) {
    return image != null && imageId(image) != null;
  }

  @Override
  public void discard(@Nullable String image) {
    if (image != null) {
      // Without -f: an image a running job still uses stays until that job is gone.
      tool(List.of("rmi", image)).status();
    }
  }

  private String requireImage(WorkspaceConfig config) {
    String image = config.image();
    if (image == null) {
      throw new BadInput(
          "workspace '"
              + config.name()
              + "' has no \"image\": the "
              + provider
              + " provider needs one");
    }
    return image;
  }

  private Exec tool(List<String> args) {
    List<String> command = new ArrayList<>(List.of(binary));
    command.addAll(args);
    return new Exec(
        provider + " " + args.get(0), command, Path.of("/"), host.forTools(), COMMAND_TIMEOUT);
  }
}
