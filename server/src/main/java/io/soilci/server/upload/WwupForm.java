package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.auth.Scope;
import io.soilci.server.auth.Worker;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.http.HttpError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The fields of Soil's {@code wwup.cgi} form as they stream in: {@code payload-type} and {@code
 * subdir} first, then {@code file1..fileN}; or {@code run-hook} with {@code arg1..arg3}.
 */
final class WwupForm implements AutoCloseable {
  private static final int MAX_FIELD_BYTES = 1024;

  /** A status file held until the whole request is read: it is at most 1 KiB. */
  record StatusFile(String name, byte[] bytes) {}

  private final Worker worker;
  private final ResultStore store;
  private final Map<String, String> fields = new LinkedHashMap<>();
  private final List<StatusFile> statusFiles = new ArrayList<>();
  private final List<String> fileNames = new ArrayList<>();
  private @Nullable Scope payload;
  private @Nullable Staging staging;

  WwupForm(Worker worker, ResultStore store) {
    this.worker = worker;
    this.store = store;
  }

  void accept(MultipartReader.Part part) throws IOException {
    String field = part.field();
    if (field.matches("file[1-9][0-9]{0,3}")) {
      acceptFile(field, part.fileName(), part.body());
      return;
    }
    if (!field.matches("payload-type|subdir|run-hook|arg[1-3]")) {
      throw new BadInput(
          "form field '"
              + Printable.of(field)
              + "' must be one of payload-type, subdir, file1..fileN, run-hook, arg1..arg3");
    }
    if (fields.put(field, text(field, part.body())) != null) {
      throw new BadInput("form field '" + field + "' was sent twice");
    }
    if (field.equals("payload-type")) {
      payload = Scope.parseFolder("payload-type", fields.get(field));
      if (!worker.may(payload)) {
        throw HttpError.forbidden(
            "worker '" + worker.name() + "' may not write '" + payload.folder() + "'");
      }
    }
  }

  private static String text(String field, InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_FIELD_BYTES + 1);
    if (bytes.length > MAX_FIELD_BYTES) {
      throw new BadInput("form field '" + field + "' is longer than " + MAX_FIELD_BYTES + " bytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void acceptFile(String field, @Nullable String fileName, InputStream body)
      throws IOException {
    String subdir = fields.get("subdir");
    if (payload == null || subdir == null) {
      throw new BadInput("form fields payload-type and subdir must come before " + field);
    }
    if (fileName == null || fileName.isEmpty()) {
      throw new BadInput(
          "form field '" + field + "' must be a file (curl --form '" + field + "=@FILE')");
    }
    fileNames.add(fileName);
    if (payload == Scope.STATUS_API) {
      statusFiles.add(new StatusFile(fileName, body.readNBytes(2048)));
      return;
    }
    JobFile kind =
        JobFile.ofFileName(fileName)
            .orElseThrow(
                () ->
                    new BadInput(
                        "file '"
                            + Printable.of(fileName)
                            + "' must be named JOB.wwz, JOB.tsv or JOB.json"));
    String job = fileName.substring(0, fileName.length() - kind.extension().length());
    stagingFor(new JobRef(WorkerHost.fromPrefix(payload.folder()), run(subdir), new JobName(job)))
        .receive(kind, body);
  }

  private static RunId run(String subdir) {
    if (subdir.contains("/")) {
      throw new BadInput(
          "subdir '" + Printable.of(subdir) + "' must be one folder, the run, e.g. 4101");
    }
    return new RunId(subdir);
  }

  private Staging stagingFor(JobRef ref) {
    if (staging == null) {
      staging = store.stage(ref);
    } else if (!staging.ref().equals(ref)) {
      throw new BadInput(
          "files of one job per request: got " + ref.job() + " after " + staging.ref().job());
    }
    return staging;
  }

  /**
   * The {@code run-hook} field; a form that has one must not upload too, or its files would be
   * dropped while the answer said 200.
   */
  Optional<String> hook() {
    String hook = fields.get("run-hook");
    if (hook != null && (payload != null || fields.containsKey("subdir") || !fileNames.isEmpty())) {
      throw new BadInput(
          "form field 'run-hook' must come without payload-type, subdir and files: upload the"
              + " files in one request, then run the hook in another");
    }
    return Optional.ofNullable(hook);
  }

  Optional<String> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** The payload's scope; the form must be an upload. */
  Scope payload() {
    if (payload == null) {
      throw new BadInput(
          "form field 'payload-type' (github-jobs, sourcehut-jobs, status-api)"
              + " or 'run-hook' is required");
    }
    if (fields.get("subdir") == null) {
      throw new BadInput("form field 'subdir' is required");
    }
    if (fileNames.isEmpty()) {
      throw new BadInput("form field 'file1' is required");
    }
    return payload;
  }

  List<String> fileNames() {
    return List.copyOf(fileNames);
  }

  Optional<Staging> staging() {
    return Optional.ofNullable(staging);
  }

  /**
   * Validates the held status files' place ({@code subdir} = {@code HOST/RUN_ID}) and stores them.
   */
  void storeStatusFiles(SiteChanges changes) throws IOException {
    String subdir = fields.getOrDefault("subdir", "");
    String[] parts = subdir.split("/", -1);
    if (parts.length != 2) {
      throw new BadInput(
          "subdir '"
              + Printable.of(subdir)
              + "' must be HOST/RUN_ID for status-api, e.g."
              + " github/94101");
    }
    WorkerHost host = WorkerHost.parse(parts[0]);
    RunId run = new RunId(parts[1]);
    List<JobName> jobs = new ArrayList<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (StatusFile file : statusFiles) {
      jobs.add(store.checkStatus(file.name(), file.bytes()));
      files.put(file.name(), file.bytes());
    }
    // Recorded first, then stored (ChangeApplier): retention deletes a status file only with a run
    // known to own it.
    changes.statusFiles(host, run, files, jobs);
  }

  @Override
  public void close() throws IOException {
    if (staging != null) {
      staging.close();
    }
  }
}
