package io.soilci.worker.workspace;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code soil-worker workspace prepare|status|reset|remove FILE}: a workspace's cache by hand. */
@Command(
    name = "workspace",
    mixinStandardHelpOptions = true,
    description = {
      "Prepares, shows, resets or removes a cached workspace: repositories cloned on the host with"
          + " its credentials (SOIL_GIT_TOKEN, SOIL_GIT_SSH_KEY, SOIL_GIT_SSH_KNOWN_HOSTS), then a"
          + " setup script run once inside it. run-job --workspace FILE uses the same cache."
    },
    subcommands = {
      WorkspaceCommand.Prepare.class,
      WorkspaceCommand.Status.class,
      WorkspaceCommand.Reset.class,
      WorkspaceCommand.Remove.class
    })
public final class WorkspaceCommand implements Callable<Integer> {
  @Spec @Nullable CommandSpec spec;

  private final Map<String, String> environment;

  /** The command in this process's environment. */
  public WorkspaceCommand() {
    this(System.getenv());
  }

  /** The command with {@code environment} standing for the worker's (tests give theirs). */
  public WorkspaceCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        java.util.Objects.requireNonNull(spec).commandLine(),
        "give a subcommand: prepare, status, reset or remove");
  }

  /** The options every subcommand takes. */
  static final class Options {
    @Parameters(index = "0", paramLabel = "FILE", description = "The workspace's JSON file.")
    @Nullable Path file;

    @Option(
        names = "--provider",
        defaultValue = "local",
        paramLabel = "NAME",
        description = "Where the setup runs: local, podman or docker (default: ${DEFAULT-VALUE}).")
    String provider = "local";

    @Option(
        names = "--container-cli",
        paramLabel = "PATH",
        description = "The container CLI to run instead of 'podman' or 'docker'.")
    @Nullable String containerCli;

    @Option(
        names = "--workspace-root",
        paramLabel = "DIR",
        description =
            "The cache root (default: $XDG_CACHE_HOME/soil/workspaces or"
                + " ~/.cache/soil/workspaces).")
    @Nullable Path root;

    @Spec(Spec.Target.MIXEE)
    @Nullable CommandSpec spec;

    /**
     * Runs {@code work} on the workspace and its config. A {@code BadInput} (exit 2) or a {@link
     * WorkspaceFailure} (exit 1) goes up to the root command, which prints its one line.
     */
    int run(Function<Workspace, Integer> work) {
      CommandSpec command = java.util.Objects.requireNonNull(spec);
      PrintWriter err = command.commandLine().getErr();
      WorkspaceConfig config = WorkspaceFile.read(java.util.Objects.requireNonNull(file));
      Map<String, String> env = environment(command);
      Path cacheRoot = root != null ? root : Workspaces.defaultRoot(env);
      Workspaces workspaces =
          Workspaces.create(cacheRoot, provider, containerCli, env, line -> progress(err, line));
      return work.apply(new Workspace(workspaces, config, command.commandLine().getOut()));
    }

    /** The environment of the {@code workspace} command this subcommand belongs to. */
    private static Map<String, String> environment(CommandSpec subcommand) {
      CommandSpec parent = java.util.Objects.requireNonNull(subcommand.parent());
      return ((WorkspaceCommand) parent.userObject()).environment;
    }

    private static void progress(PrintWriter err, String line) {
      err.println("workspace: " + line);
      err.flush();
    }
  }

  /** What a subcommand works on. */
  record Workspace(Workspaces workspaces, WorkspaceConfig config, PrintWriter out) {}

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      description = {
        "Clones the repositories and runs the setup script, or on a cache hit fetches new commits"
            + " only; prints hit or miss and the time taken."
      })
  static final class Prepare implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() {
      return options.run(
          ws -> {
            Preparation done = ws.workspaces().prepare(ws.config());
            ws.out()
                .printf(
                    "workspace %s ready: cache %s in %s s%n",
                    done.name(),
                    done.cacheHit() ? "hit" : "miss",
                    Preparation.seconds(done.prepareTime()));
            for (Map.Entry<String, String> commit : done.commits().entrySet()) {
              ws.out().printf("repository %s: %s%n", commit.getKey(), commit.getValue());
            }
            ws.out().flush();
            return 0;
          });
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Prints the cache root, the workspace's cache entry and whether it is prepared or stale,"
            + " and each instance: clean, stale or in use."
      })
  static final class Status implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() {
      return options.run(
          ws -> {
            ws.out().print(ws.workspaces().status(ws.config()));
            ws.out().flush();
            return 0;
          });
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = {
        "Makes every instance that no running job holds equal to the prepared state again."
      })
  static final class Reset implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() {
      return options.run(
          ws -> {
            int count = ws.workspaces().reset(ws.config());
            ws.out().printf("reset %d instance(s) of workspace %s%n", count, ws.config().name());
            ws.out().flush();
            return 0;
          });
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Deletes the workspace's cache entry, its instances and its committed image; refuses while"
            + " a job holds an instance."
      })
  static final class Remove implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() {
      return options.run(
          ws -> {
            ws.workspaces().remove(ws.config());
            ws.out().printf("removed workspace %s%n", ws.config().name());
            ws.out().flush();
            return 0;
          });
    }
  }
}
