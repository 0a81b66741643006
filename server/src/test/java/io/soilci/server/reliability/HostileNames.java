package io.soilci.server.reliability;

import static io.soilci.server.reliability.Form.utf8;
import static io.soilci.server.reliability.HostileRow.row;

import io.soilci.server.testing.SiteTrees;
import java.util.List;

/**
 * Hostile names: path traversal in every query parameter, form field, multipart file name and
 * {@code .wwz} path; invalid UTF-8; wrong, missing and forged credentials; scope violations.
 */
final class HostileNames {
  static final String RULE =
      "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";
  static final String ZIP_RULE =
      "' must be a relative path of at most 1024 characters with no '..', '.', empty segment,"
          + " backslash or control character";

  private HostileNames() {}

  static byte[] fixture(String file) {
    return SiteTrees.fixture("github-jobs/4101/" + file);
  }

  /** The fixture job cpp-small's three files as a {@code /results} form. */
  static Form job() {
    return new Form()
        .file("wwz", "cpp-small.wwz", fixture("cpp-small.wwz"))
        .file("tsv", "cpp-small.tsv", fixture("cpp-small.tsv"))
        .file("json", "cpp-small.json", fixture("cpp-small.json"));
  }

  private static HostileRow results(String name, String query, String message) {
    return row(name, t -> t.upload("/results?" + query, t.github(), job()), 400, message);
  }

  private static HostileRow wwup(String name, Form form, int status, String message) {
    return row(name, t -> t.upload("/wwup", t.github(), form), status, message);
  }

  private static Form wwupJob(String subdir, String fileName) {
    return new Form()
        .field("payload-type", "github-jobs")
        .field("subdir", subdir)
        .file("file1", fileName, fixture("cpp-small.tsv"));
  }

  private static Form status(String subdir, String fileName) {
    return new Form()
        .field("payload-type", "status-api")
        .field("subdir", subdir)
        .file("file1", fileName, utf8("0 4101\n"));
  }

  static List<HostileRow> queryParameters() {
    return List.of(
        results(
            "jobName ../../etc/passwd",
            "workerHost=github&runId=4101&jobName=../../etc/passwd",
            "jobName '../../etc/passwd" + RULE),
        results(
            "jobName percent-encoded ..%2F..%2Fx",
            "workerHost=github&runId=4101&jobName=..%2F..%2Fx", "jobName '../../x" + RULE),
        results(
            "jobName with backslashes",
            "workerHost=github&runId=4101&jobName=..%5C..%5Cx",
            "jobName '..\\..\\x" + RULE),
        results(
            "jobName with a NUL byte",
            "workerHost=github&runId=4101&jobName=cpp%00.json",
            "jobName 'cpp\\x00.json" + RULE),
        results(
            "jobName of invalid UTF-8",
            "workerHost=github&runId=4101&jobName=%FF%FE",
            "jobName '\uFFFD\uFFFD" + RULE),
        results("runId ..", "workerHost=github&runId=..&jobName=cpp-small", "runId '.." + RULE),
        results(
            "runId absolute /etc",
            "workerHost=github&runId=%2Fetc&jobName=cpp-small",
            "runId '/etc" + RULE),
        results(
            "workerHost ../github",
            "workerHost=../github&runId=4101&jobName=cpp-small",
            "workerHost '../github' must be one of github, sourcehut"),
        results(
            "jobName given twice",
            "workerHost=github&runId=4101&jobName=cpp-small&jobName=../x",
            "query parameter 'jobName' must be given once"),
        results(
            "runId and jobId disagree",
            "workerHost=github&runId=4101&jobId=../x&jobName=cpp-small",
            "give runId or jobId, not both"),
        results(
            "jobName missing",
            "workerHost=github&runId=4101",
            "query parameter 'jobName' is required"),
        row(
            "event name ../x",
            t ->
                t.event(
                    "eventName=../x&workerHost=github&runId=4101&jobName=cpp-small", t.github()),
            400,
            "eventName '../x' must be one of start, task-start, task-done, done"),
        row(
            "event task ../../index",
            t ->
                t.event(
                    "eventName=task-start&workerHost=github&runId=4101&jobName=cpp-small"
                        + "&task=../../index",
                    t.github()),
            400,
            "task name '../../index" + RULE),
        row(
            "event statusRunId ../../..",
            t ->
                t.event(
                    "eventName=done&workerHost=github&runId=4101&jobName=cpp-small&status=0"
                        + "&updateStatusApi=1&statusRunId=../../..",
                    t.github()),
            400,
            "statusRunId '../../.." + RULE),
        row(
            "event status 256",
            t ->
                t.event(
                    "eventName=done&workerHost=github&runId=4101&jobName=cpp-small&status=256",
                    t.github()),
            400,
            "status '256' must be an integer from 0 to 255"),
        row(
            "event elapsed 1e309",
            t ->
                t.event(
                    "eventName=task-done&workerHost=github&runId=4101&jobName=cpp-small"
                        + "&task=unit&status=0&elapsed=1e309",
                    t.github()),
            400,
            "elapsed '1e309' must be a number of seconds, e.g. 12.5"));
  }

  static List<HostileRow> formNames() {
    return List.of(
        row(
            "results part named ../wwz",
            t ->
                t.upload(
                    Target.JOB,
                    t.github(),
                    new Form().file("../wwz", "cpp-small.wwz", fixture("cpp-small.wwz"))),
            400,
            "part '../wwz' must be one of wwz, tsv, json"),
        wwup(
            "wwup file name ../../evil.tsv",
            wwupJob("4101", "../../evil.tsv"),
            400,
            "jobName '../../evil" + RULE),
        wwup(
            "wwup file name /etc/cron.d/x.json",
            wwupJob("4101", "/etc/cron.d/x.json"),
            400,
            "jobName '/etc/cron.d/x" + RULE),
        wwup(
            "wwup file name with backslashes",
            wwupJob("4101", "..\\..\\x.wwz"),
            400,
            "jobName '..\\..\\x" + RULE),
        wwup(
            "wwup file name of invalid UTF-8",
            new Form()
                .field("payload-type", "github-jobs")
                .field("subdir", "4101")
                .file("file1", new byte[] {(byte) 0xff, (byte) 0xfe, '.', 't', 's', 'v'}, utf8("")),
            400,
            "jobName '\uFFFD\uFFFD" + RULE),
        wwup(
            "wwup file name not a job file",
            wwupJob("4101", "index.html"),
            400,
            "file 'index.html' must be named JOB.wwz, JOB.tsv or JOB.json"),
        wwup(
            "wwup subdir ../../etc",
            wwupJob("../../etc", "cpp-small.tsv"),
            400,
            "subdir '../../etc' must be one folder, the run, e.g. 4101"),
        wwup("wwup subdir ..", wwupJob("..", "cpp-small.tsv"), 400, "runId '.." + RULE),
        wwup(
            "wwup payload-type ../github-jobs",
            new Form().field("payload-type", "../github-jobs"),
            400,
            "payload-type '../github-jobs' must be one of github-jobs, sourcehut-jobs, status-api"),
        wwup(
            "wwup unknown field ../x",
            new Form().field("../x", "1"),
            400,
            "form field '../x' must be one of payload-type, subdir, file1..fileN, run-hook,"
                + " arg1..arg3"),
        wwup(
            "status-api subdir github/../../x",
            status("github/../../x", "cpp-small.status.txt"),
            400,
            "subdir 'github/../../x' must be HOST/RUN_ID for status-api, e.g. github/94101"),
        wwup(
            "status-api subdir ../94101",
            status("../94101", "cpp-small.status.txt"),
            400,
            "workerHost '..' must be one of github, sourcehut"),
        wwup(
            "status file ../../index.html.status.txt",
            status("github/94101", "../../index.html.status.txt"),
            400,
            "jobName '../../index.html" + RULE),
        wwup(
            "status file not named .status.txt",
            status("github/94101", "index.html"),
            400,
            "status file 'index.html' must be named JOB.status.txt"),
        wwup(
            "status file holding HTML",
            new Form()
                .field("payload-type", "status-api")
                .field("subdir", "github/94101")
                .file("file1", "cpp-small.status.txt", utf8("<script>alert(1)</script>\n")),
            400,
            "status file 'cpp-small.status.txt' must be one line '<status> <job id>' with status"
                + " 0-255, e.g. '0 4101'"),
        wwup(
            "run-hook rm -rf /",
            new Form().field("run-hook", "rm -rf /"),
            400,
            "run-hook 'rm -rf /' must be soil-event-job-done or soil-cleanup-status-api"),
        wwup(
            "run-hook arg1 ../",
            new Form().field("run-hook", "soil-event-job-done").field("arg1", "../"),
            400,
            "arg1 '../' must be the prefix github- or sourcehut-"),
        wwup(
            "run-hook arg2 ../..",
            new Form()
                .field("run-hook", "soil-event-job-done")
                .field("arg1", "github-")
                .field("arg2", "../.."),
            400,
            "runId '../.." + RULE));
  }
}
