package io.soilci.server.reliability;

import io.soilci.server.testing.Multipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A realistic job's three files, made up: {@code tasks} tasks whose logs hold about {@code
 * logBytes} of varied text each (so the wwz does not shrink to nothing), a TSV and a JSON naming
 * the job.
 */
record JobFiles(String run, String job, byte[] wwz, byte[] tsv, byte[] json) {
  static JobFiles make(String run, String job, int tasks, int logBytes, long seed) {
    Random random = new Random(seed);
    StringBuilder tsv = new StringBuilder();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      StringBuilder index = new StringBuilder("<html><body><h1>" + job + "</h1>\n");
      for (int t = 0; t < tasks; t++) {
        String task = "task-" + t;
        int status = random.nextInt(8) == 0 ? 1 : 0;
        tsv.append(status).append('\t').append(t + 1).append(".250000\t").append(task);
        tsv.append("\tsoil/worker.sh\t").append(task).append("\t-\n");
        entry(zip, "_tmp/soil/logs/" + task + ".txt", log(random, job, task, logBytes));
        index.append("<a href=\"_tmp/soil/logs/").append(task).append(".txt\">").append(task);
        index.append("</a>\n");
      }
      entry(zip, "_tmp/soil/INDEX.tsv", tsv.toString().getBytes(StandardCharsets.UTF_8));
      entry(
          zip,
          "index.html",
          index.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String json =
        "{\n  \"job-name\": \""
            + job
            + "\",\n  \"commit-hash\": \""
            + String.format("%040x", seed & Long.MAX_VALUE)
            + "\",\n  \"commit-line\": \"load "
            + run
            + "\",\n  \"task-run-start-time\": \"1763700000\",\n  \"GITHUB_RUN_ID\": \"9"
            + run
            + "\"\n}\n";
    return new JobFiles(
        run,
        job,
        bytes.toByteArray(),
        tsv.toString().getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  private static void entry(ZipOutputStream zip, String name, byte[] body) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(body);
    zip.closeEntry();
  }

  private static byte[] log(Random random, String job, String task, int size) {
    StringBuilder out = new StringBuilder(size + 100);
    String[] words = {
      "PASS", "ok", "FAIL", "running", "spec", "osh", "bash", "dash", "zsh", "mksh"
    };
    for (int line = 0; out.length() < size; line++) {
      out.append(job).append(' ').append(task).append(" line ").append(line).append(':');
      for (int w = 0; w < 8; w++) {
        out.append(' ').append(words[random.nextInt(words.length)]).append(random.nextInt(100_000));
      }
      out.append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The same wwz and TSV as another job of {@code run} named {@code newJob} (fresh JSON). */
  JobFiles as(String newRun, String newJob) {
    String text =
        new String(json, java.nio.charset.StandardCharsets.UTF_8)
            .replace("\"job-name\": \"" + job + "\"", "\"job-name\": \"" + newJob + "\"");
    return new JobFiles(
        newRun, newJob, wwz, tsv, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  String query() {
    return "workerHost=github&runId=" + run + "&jobName=" + job;
  }

  Multipart form() {
    return new Multipart()
        .file("wwz", job + ".wwz", wwz)
        .file("tsv", job + ".tsv", tsv)
        .file("json", job + ".json", json);
  }

  /** The URL path of a file of this job under the site, e.g. {@code .tsv}. */
  String path(String extension) {
    return "/github-jobs/" + run + "/" + job + extension;
  }

  /** The bytes of one entry of the wwz. */
  byte[] entry(String name) {
    try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(wwz))) {
      for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals(name)) {
          return zip.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no entry " + name);
  }
}
