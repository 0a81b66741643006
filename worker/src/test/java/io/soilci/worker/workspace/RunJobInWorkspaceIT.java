package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.worker.WorkerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code run-job --workspace FILE} end to end: local and podman, real git, real containers. */
class RunJobInWorkspaceIT {
  private static final String SCRIPT =
      "#!/bin/sh\n"
          + "cat deps.txt\n"
          + "[ -f /opt/tool/version ] && cat /opt/tool/version\n"
          + "if [ -f junk.txt ]; then echo 'junk from an earlier job'; exit 5; fi\n"
          + "echo junk > junk.txt\n";

  @TempDir Path tmp;
  private GitFixture origin;
  private Path tasks;
  private final String name = "runjob-it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void createRepositoryWithATask() throws IOException {
    origin = GitFixture.create(tmp.resolve("git"));
    origin.commitScript("test/hello.sh", SCRIPT);
    tasks = tmp.resolve("tasks.txt");
    Files.writeString(tasks, "hello test/hello.sh all -\n");
  }

  private Path workspaceFile(String setup, String image) throws IOException {
    Path file = tmp.resolve("ws.json");
    Files.writeString(
        file,
        "{\"name\": \""
            + name
            + "\", \"repositories\": [{\"url\": \""
            + origin.url()
            + "\", \"path\": \".\", \"ref\": \"main\"}], \"setup_script\": \""
            + setup
            + "\""
            + (image.isEmpty() ? "" : ", \"image\": \"" + image + "\"")
            + ", \"env\": {\"GREETING\": \"hi\"}}");
    return file;
  }

  private int runJobWith(picocli.CommandLine cli, Path file, String provider) {
    return cli.execute(
        "run-job",
        "demo",
        "--workspace",
        file.toString(),
        "--workspace-root",
        tmp.resolve("cache").toString(),
        "--tasks",
        tasks.toString(),
        "--provider",
        provider);
  }

  private int runJob(Path file, String provider, Path out) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run-job",
                "demo",
                "--workspace",
                file.toString(),
                "--workspace-root",
                tmp.resolve("cache").toString(),
                "--tasks",
                tasks.toString(),
                "--out",
                out.toString(),
                "--provider",
                provider,
                "--worker-host",
                "none"));
    args.addAll(cli(provider));
    return WorkerMain.commandLine().execute(args.toArray(new String[0]));
  }

  /** Docker is run through podman's docker-compatible CLI here: no Docker engine on this host. */
  private static List<String> cli(String provider) {
    return provider.equals("docker") ? List.of("--container-cli", "podman") : List.of();
  }

  private static String taskLog(Path out) throws IOException {
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(out.resolve("demo.wwz").toFile())) {
      java.util.zip.ZipEntry entry = zip.getEntry("_tmp/soil/logs/hello.txt");
      return new String(
          zip.getInputStream(entry).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void aLocalJobRunsInItsInstanceAndTheNextJobFindsItReset() throws IOException {
    Path file = workspaceFile("echo \\\"$GREETING\\\" > deps.txt", "");

    int first = runJob(file, "local", tmp.resolve("out1"));
    int second = runJob(file, "local", tmp.resolve("out2"));

    assertThat(first).isZero();
    assertThat(second).isZero();
    assertThat(tmp.resolve("out1/demo.json")).content().contains("\"workspace-cache\": \"miss\"");
    assertThat(taskLog(tmp.resolve("out2"))).isEqualTo("hi\n");
    assertThat(tmp.resolve("out2/demo.json"))
        .content()
        .contains("\"workspace-cache\": \"hit\"")
        .contains("\"workspace-prepare-time\": \"")
        .contains("\"commit-hash\": \"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"podman", "docker"})
  void aContainerJobRunsInTheCommittedSetupImage(String provider) throws IOException {
    Path file =
        workspaceFile(
            "echo \\\"$GREETING\\\" > deps.txt; mkdir -p /opt/tool; echo tool-1 > /opt/tool/version",
            Podman.testImage());
    try {
      int first = runJob(file, provider, tmp.resolve("out1"));
      int second = runJob(file, provider, tmp.resolve("out2"));

      assertThat(first).isZero();
      assertThat(second).isZero();
      assertThat(tmp.resolve("out2/demo.json"))
          .content()
          .contains("\"workspace-cache\": \"hit\"")
          .contains("\"image\": \"localhost/soil-workspace-" + name + ":");
      assertThat(taskLog(tmp.resolve("out2"))).isEqualTo("hi\ntool-1\n");
    } finally {
      List<String> remove =
          new ArrayList<>(
              List.of(
                  "workspace",
                  "remove",
                  file.toString(),
                  "--provider",
                  provider,
                  "--workspace-root",
                  tmp.resolve("cache").toString()));
      remove.addAll(cli(provider));
      WorkerMain.commandLine().execute(remove.toArray(new String[0]));
    }
  }

  @Test
  void workspaceAndImageTogetherAreBadUsage() throws IOException {
    Path file = workspaceFile("true", "");
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = WorkerMain.commandLine();
    cli.setErr(new java.io.PrintWriter(err, true));

    int status =
        cli.execute(
            "run-job",
            "demo",
            "--workspace",
            file.toString(),
            "--image",
            "x",
            "--tasks",
            tasks.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-worker: --workspace gives the checkout and the image; drop --checkout and"
                + " --image\n");
  }

  @Test
  void aContainerProviderNeedsTheWorkspacesImage() throws IOException {
    Path file = workspaceFile("true", "");
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = WorkerMain.commandLine();
    cli.setErr(new java.io.PrintWriter(err, true));

    int status = runJobWith(cli, file, "podman");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-worker: workspace '"
                + name
                + "' has no \"image\": the podman provider needs one\n");
    assertThat(tmp.resolve("cache")).doesNotExist();
  }
}
