package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.WorkerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code soil-worker workspace ...} as a user types it, against a real git repository. */
class WorkspaceCommandIT {
  @TempDir Path tmp;
  private Path file;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeWorkspaceFile() throws IOException {
    GitFixture origin = GitFixture.create(tmp.resolve("git"));
    file = tmp.resolve("ws.json");
    Files.writeString(
        file,
        "{\"name\": \"cli\", \"repositories\": [{\"url\": \""
            + origin.url()
            + "\", \"path\": \"src\", \"ref\": \"main\"}], \"setup_script\": \"echo set up\"}");
  }

  private int run(String... args) {
    CommandLine cli = WorkerMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] full = new String[args.length + 1];
    full[0] = "workspace";
    System.arraycopy(args, 0, full, 1, args.length);
    return cli.execute(full);
  }

  private String root() {
    return tmp.resolve("cache").toString();
  }

  @Test
  void prepareTwiceIsAMissThenAHitWithProgressLines() {
    int first = run("prepare", file.toString(), "--workspace-root", root());
    int second = run("prepare", file.toString(), "--workspace-root", root());

    assertThat(first).isZero();
    assertThat(second).isZero();
    assertThat(out.toString())
        .containsPattern("workspace cli ready: cache miss in \\d+\\.\\d{3} s\n")
        .containsPattern("workspace cli ready: cache hit in \\d+\\.\\d{3} s\n")
        .containsPattern("repository src: [0-9a-f]{40}\n");
    assertThat(err.toString())
        .contains("workspace: workspace cli is not cached: preparing it\n")
        .contains("workspace: cloning file:")
        .contains("workspace: setup: set up\n")
        .contains("workspace: fetching main of file:");
  }

  @Test
  void statusPrintsTheCacheRoot() {
    run("prepare", file.toString(), "--workspace-root", root());

    int status = run("status", file.toString(), "--workspace-root", root());

    assertThat(status).isZero();
    assertThat(out.toString()).contains("cache root: " + root() + "\n").contains("state: prepared");
  }

  @Test
  void resetAndRemoveSaySoAndExitZero() {
    run("prepare", file.toString(), "--workspace-root", root());

    assertThat(run("reset", file.toString(), "--workspace-root", root())).isZero();
    assertThat(run("remove", file.toString(), "--workspace-root", root())).isZero();

    assertThat(out.toString())
        .contains("reset 0 instance(s) of workspace cli\n")
        .contains("removed workspace cli\n");
  }

  @Test
  void aBadWorkspaceFileExitsTwoWithOneLineNamingTheKey() throws IOException {
    Files.writeString(file, "{\"name\": \"cli\", \"repos\": []}");

    int status = run("prepare", file.toString(), "--workspace-root", root());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-worker: "
                + file
                + ": unknown key 'repos' (known keys: env, image, name, repositories,"
                + " setup_script)\n");
  }

  @Test
  void anUnknownProviderExitsTwo() {
    int status = run("prepare", file.toString(), "--provider", "vm", "--workspace-root", root());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("soil-worker: provider 'vm' must be local, podman or docker\n");
  }

  @Test
  void aFailingSetupScriptExitsOneWithItsLastLine() throws IOException {
    Files.writeString(
        file, Files.readString(file).replace("echo set up", "echo cannot find make >&2; exit 3"));

    int status = run("prepare", file.toString(), "--workspace-root", root());

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .endsWith("soil-worker: the setup script exited with status 3: cannot find make\n");
  }

  @Test
  void noSubcommandIsBadUsage() {
    int status = run();

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-worker: give a subcommand: prepare, status, reset or remove (see 'soil-worker"
                + " workspace --help')\n");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"prepare", "status", "reset", "remove"}) {
      out.getBuffer().setLength(0);

      assertThat(run(sub, "--help")).isZero();
      assertThat(out.toString()).contains("--workspace-root=DIR").contains("--provider");
    }
  }
}
