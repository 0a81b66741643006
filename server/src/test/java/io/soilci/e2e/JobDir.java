package io.soilci.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A packaged job as run-job leaves it: DIR/JOB.wwz, .tsv, .json. */
final class JobDir {
  private JobDir() {}

  /**
   * Writes job {@code job} of GitHub run {@code run} (run id {@code 1000+run}) with tasks {@code
   * ok} (0) and {@code check} ({@code status}), plus {@code padding} bytes of incompressible data
   * in the zip; returns DIR/JOB.
   */
  static Path write(Path dir, String job, int run, int status, int padding) throws IOException {
    Files.createDirectories(dir);
    String tsv = "0\t1.250000\tok\tsh\tok\t-\n" + status + "\t2.500000\tcheck\tsh\tcheck\t-\n";
    Files.writeString(dir.resolve(job + ".tsv"), tsv);
    Files.writeString(
        dir.resolve(job + ".json"),
        "{\n  \"job-name\": \""
            + job
            + "\",\n  \"commit-hash\": \"0123456789abcdef0123456789abcdef01234567\",\n"
            + "  \"commit-line\": \"e2e commit\",\n  \"task-run-start-time\": \"1700000000\",\n"
            + "  \"GITHUB_RUN_NUMBER\": \""
            + run
            + "\",\n  \"GITHUB_RUN_ID\": \""
            + (1000 + run)
            + "\"\n}\n");
    try (OutputStream file = Files.newOutputStream(dir.resolve(job + ".wwz"));
        ZipOutputStream zip = new ZipOutputStream(file)) {
      entry(zip, "index.html", "<a href=\"_tmp/soil/INDEX.tsv\">tasks</a>");
      entry(zip, "_tmp/soil/INDEX.tsv", tsv);
      entry(zip, "_tmp/soil/logs/ok.txt", "all good\n");
      entry(zip, "_tmp/soil/logs/check.txt", "check said " + status + "\n");
      if (padding > 0) {
        byte[] noise = new byte[padding];
        new Random(42).nextBytes(noise);
        zip.putNextEntry(new ZipEntry("_tmp/noise.bin"));
        zip.write(noise);
      }
    }
    return dir.resolve(job);
  }

  private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
