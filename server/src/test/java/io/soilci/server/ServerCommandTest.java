package io.soilci.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.testing.SiteTrees;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ServerCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void printsHelpForEveryCommand() {
    for (String command : new String[] {"serve", "add-worker", "regen", "ingest"}) {
      assertThat(run(command, "--help")).as(command).isZero();
    }

    assertThat(out.toString())
        .contains("--listen=HOST:PORT")
        .contains("--scopes=LIST")
        .contains("PREFIX/RUN/JOB")
        .contains("--state=DIR");
  }

  @Test
  void exitsWith2OnBadUsage() {
    assertThat(run("serve", "--no-such-option")).isEqualTo(2);
    assertThat(run("add-worker", "w1")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--scopes=LIST'");
  }

  @Test
  void exitsWith2OnABadConfigNamingTheKey() throws IOException {
    Path config = Files.writeString(dir.resolve("soil.json"), "{\"site\": \"s\", \"port\": 1}");

    int status = run("serve", "--config", config.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("soil-server: config key 'port' is unknown; known keys here: site, ");
  }

  @Test
  void addsAWorkerPrintingItsTokenOnceAndStoringItOutsideTheSite() throws IOException {
    Path site = dir.resolve("www");

    int status =
        run(
            "add-worker",
            "gh-runner",
            "--scopes",
            "github-jobs,status-api",
            "--site",
            site.toString());

    assertThat(status).isZero();
    String token = out.toString().trim();
    assertThat(token).matches("gh-runner:[A-Za-z0-9_-]{43}");
    Path stored = dir.resolve("soil-state/workers.json");
    assertThat(Files.readString(stored)).doesNotContain(token.substring("gh-runner:".length()));
    assertThat(site.resolve("workers.json")).doesNotExist();
  }

  @Test
  void rejectsAnUnknownScopeWithExit2() {
    int status = run("add-worker", "w", "--scopes", "github-jobs,root", "--site", dir.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: --scopes 'root' must be one of github-jobs, sourcehut-jobs,"
                + " status-api, add-github-jobs, add-sourcehut-jobs, submit, agent\n");
  }

  @Test
  void ingestsAJobCopiedInPlaceAndBuildsItsPages() throws IOException {
    Path site = dir.resolve("www");
    SiteTrees.copyFixtures(site);

    int status = run("ingest", "--site", site.toString(), "github-jobs/4101/cpp-small");

    assertThat(status).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("ingested github-jobs/4101/cpp-small (3 tasks)\n");
    assertThat(Files.readString(site.resolve("github-jobs/4101/index.html"))).contains("cpp-small");
  }

  @Test
  void refusesToIngestAnInvalidJobWithExit2() throws IOException {
    Path site = dir.resolve("www");
    SiteTrees.copyFixtures(site);
    Files.writeString(site.resolve("github-jobs/4101/cpp-small.tsv"), "0\t1.0\tunit\n");

    int status = run("ingest", "--site", site.toString(), "github-jobs/4101/cpp-small");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: github-jobs/4101/cpp-small.tsv line 1: has 3 columns, expected 6"
                + " (status, elapsed, name, script_name, func, results_url)\n");
  }

  @Test
  void refusesToIngestATaskTableWithCrLfLineEndsNamingTheFileAndLine() throws IOException {
    Path site = dir.resolve("www");
    SiteTrees.copyFixtures(site);
    Path tsv = site.resolve("github-jobs/4101/cpp-small.tsv");
    String lf = Files.readString(tsv);
    int second = lf.indexOf('\n') + 1;
    Files.writeString(tsv, lf.substring(0, second) + lf.substring(second).replace("\n", "\r\n"));
    String before = SiteTrees.checksum(site);

    int status = run("ingest", "--site", site.toString(), "github-jobs/4101/cpp-small");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: github-jobs/4101/cpp-small.tsv line 2 ends with CR LF (\"\\r\\n\"):"
                + " Soil's task table ends each line with LF (\"\\n\") alone, as its worker writes"
                + " it; convert the file (e.g. dos2unix github-jobs/4101/cpp-small.tsv) and run"
                + " ingest again\n");
    assertThat(SiteTrees.checksum(site)).isEqualTo(before);
  }

  @Test
  void rejectsAMalformedJobPathWithExit2() {
    int status = run("ingest", "--site", dir.toString(), "github-jobs/../x");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: runId '..' must be 1-100 letters, digits, '.', '_' or '-', starting"
                + " with a letter or digit\n");
  }

  @Test
  void regeneratesEveryPageFromTheFiles() throws IOException {
    Path site = dir.resolve("www");
    SiteTrees.copyFixtures(site);

    int status = run("regen", "--site", site.toString());

    assertThat(status).as(err.toString()).isZero();
    assertThat(site.resolve("github-jobs/4101/index.html")).exists();
    assertThat(site.resolve("sourcehut-jobs/345/index.html")).exists();
  }

  @Test
  void refusesAMissingSiteUnlessToldToCreateIt() throws IOException {
    Path missing = dir.resolve("nosuch");

    assertThat(run("regen", "--site", missing.toString())).isEqualTo(2);
    assertThat(missing).doesNotExist();
    assertThat(run("serve", "--site", missing.toString(), "--listen", "127.0.0.1:0")).isEqualTo(2);

    String line =
        "soil-server: the site folder "
            + missing
            + " does not exist; check --site, or pass --init to create an empty site there\n";
    assertThat(err.toString()).isEqualTo(line + line);
    assertThat(missing).doesNotExist();

    assertThat(run("regen", "--site", missing.toString(), "--init")).as(err.toString()).isZero();
    assertThat(missing.resolve("index.html")).exists();
  }

  @Test
  void namesTheConfigWhenItsSiteIsMissing() throws IOException {
    Path config =
        Files.writeString(dir.resolve("soil.json"), "{\"site\": \"" + dir.resolve("gone") + "\"}");

    assertThat(run("regen", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: the site folder "
                + dir.resolve("gone")
                + " does not exist; check \"site\" in "
                + config
                + ", or pass --init to create an empty site there\n");
  }

  @Test
  void refusesASiteThatIsAFileWithOrWithoutInit() throws IOException {
    Path file = Files.writeString(dir.resolve("site.txt"), "not a site");

    int plain = run("regen", "--site", file.toString());
    int init = run("serve", "--site", file.toString(), "--init", "--listen", "127.0.0.1:0");

    assertThat(plain).isEqualTo(2);
    assertThat(init).isEqualTo(2);
    String line =
        "soil-server: the site folder " + file + " is a file, not a folder; check --site\n";
    assertThat(err.toString()).isEqualTo(line + line);
    assertThat(Files.readString(file)).isEqualTo("not a site");
  }

  @Test
  void refusesAStateFolderThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("state.txt"), "not a state folder");

    int status =
        run(
            "add-worker",
            "w1",
            "--scopes",
            "github-jobs",
            "--site",
            dir.resolve("site").toString(),
            "--state",
            file.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: the state folder " + file + " is a file, not a folder; check --state\n");
    assertThat(out.toString()).isEmpty();
    assertThat(Files.readString(file)).isEqualTo("not a state folder");
  }

  @Test
  void refusesAConfigThatIsAFolderNamingIt() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("conf.d"));

    int status = run("serve", "--config", folder.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: config file '"
                + folder
                + "' is a folder; give the JSON config file in it\n");
  }

  @Test
  void aBrokenWorkersFileIsOneLineNamingItAndChangesNothing() throws IOException {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path workers = Files.writeString(state.resolve("workers.json"), "{not json");

    int status =
        run(
            "add-worker",
            "w1",
            "--scopes",
            "github-jobs",
            "--site",
            dir.resolve("site").toString(),
            "--state",
            state.toString());

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "soil-server: "
                + workers
                + " is not valid JSON at line 1, column 2 (Unexpected character ('n' (code 110)):"
                + " was expecting double-quote to start field name); restore it from a backup, or"
                + " move it away and give each worker a new token with add-worker\n");
    assertThat(out.toString()).isEmpty();
    assertThat(Files.readString(workers)).isEqualTo("{not json");
  }
}
