package io.soilci.worker.provider;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One container per job, started from {@code IMAGE} with the checkout bind-mounted at the same
 * path; every task runs inside it through the supervisor. Podman and Docker take the same arguments
 * here (nothing podman-only), so both are this class with another CLI.
 */
final class ContainerProvider implements Provider {
  private final String name;
  private final String cli;
  private final String image;
  private final @Nullable String mountPoint;

  /**
   * @param name the provider's name, which is also the default CLI ({@code podman}, {@code docker})
   * @param cli the CLI to run: a name looked up on the PATH, or a path
   * @param mountPoint where the checkout is mounted and tasks start; null for its own path
   */
  ContainerProvider(String name, String cli, String image, @Nullable String mountPoint) {
    this.name = name;
    this.cli = cli;
    this.image = image;
    this.mountPoint = mountPoint;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Instance start(InstanceSpec spec) {
    Path binary = ContainerCli.find(cli, spec.workerEnv().getOrDefault("PATH", ""));
    String dir = spec.checkout().toString();
    // The CLI itself never holds the worker's credentials either.
    Map<String, String> cliEnv = spec.localTaskEnv();
    String pullTime = ImagePull.prepare(binary, image, cliEnv);
    String container = "soil-" + spec.job().value() + "-" + Supervisor.newMark().substring(5, 17);
    String mark = Supervisor.newMark();
    List<String> command = runCommand(binary, container, dir, spec.envNames());
    command.addAll(Supervisor.shArguments(mark));
    Thread removeOnExit = new Thread(() -> remove(binary, container, cliEnv));
    Runtime.getRuntime().addShutdownHook(removeOnExit);
    try {
      Supervisor supervisor =
          Supervisor.start(
              command,
              spec.checkout(),
              cliEnv,
              mark,
              pid -> exec(binary, container, Supervisor.killArguments(pid)),
              Duration.ofMinutes(5));
      String guest = mountPoint == null ? dir : mountPoint;
      SupervisedInstance.LaneStarter lanes =
          () -> {
            String laneMark = Supervisor.newMark();
            List<String> exec = execCommand(binary, container, guest, spec.envNames());
            exec.addAll(Supervisor.shArguments(laneMark));
            return Supervisor.start(
                exec,
                spec.checkout(),
                cliEnv,
                laneMark,
                pid -> exec(binary, container, Supervisor.killArguments(pid)),
                Duration.ofMinutes(1));
          };
      return new SupervisedInstance(
          supervisor,
          lanes,
          Map.of(io.soilci.result.JobMeta.IMAGE_PULL_TIME, pullTime),
          endedCleanly -> {
            Runtime.getRuntime().removeShutdownHook(removeOnExit);
            if (!endedCleanly) {
              remove(binary, container, cliEnv);
            }
          });
    } catch (IOException e) {
      Runtime.getRuntime().removeShutdownHook(removeOnExit);
      remove(binary, container, cliEnv);
      throw new ProviderFailure(
          "container from image '" + image + "' did not start: " + e.getMessage());
    }
  }

  private List<String> runCommand(Path binary, String container, String dir, List<String> env) {
    String guest = mountPoint == null ? dir : mountPoint;
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "run",
                "--rm",
                "-i",
                "--name",
                container,
                "--label",
                "io.soilci.worker=run-job"));
    command.addAll(BindMount.arguments(dir, guest));
    command.addAll(List.of("-w", guest));
    for (String name : env) {
      // NAME alone: the CLI copies the value from its own environment, never onto a command line.
      command.add("-e");
      command.add(name);
    }
    command.addAll(List.of("--entrypoint", "/bin/sh", image));
    return command;
  }

  /**
   * {@code CLI exec -i -w GUEST [-e NAME]... CONTAINER /bin/sh}: one more supervisor in the running
   * container, for a task run beside others; the same folder and variables as the first.
   */
  private static List<String> execCommand(
      Path binary, String container, String guest, List<String> env) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "exec", "-i", "-w", guest));
    for (String name : env) {
      command.add("-e");
      command.add(name);
    }
    command.addAll(List.of(container, "/bin/sh"));
    return command;
  }

  private static List<String> exec(Path binary, String container, List<String> command) {
    List<String> exec = new ArrayList<>(List.of(binary.toString(), "exec", container));
    exec.addAll(command);
    return exec;
  }

  private static void remove(Path binary, String container, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "rm", "-f", container)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      builder.start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      // Best effort: the container is gone or the CLI is; nothing more to do.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
