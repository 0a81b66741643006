package io.soilci.server.reliability;

import static io.soilci.server.reliability.HostileRow.row;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Who may write and what may be read: wrong, missing, forged and revoked credentials, scope
 * violations, {@code .wwz} paths that try to escape the zip or the site, oversize headers.
 */
final class HostileAccess {
  static final String REQUIRED =
      "a worker token is required: HTTP Basic (worker name, secret) or 'Authorization: Bearer"
          + " NAME:SECRET'";

  private HostileAccess() {}

  private static HostileRow upload(String name, String authorization, int status, String message) {
    return row(name, t -> t.upload(Target.JOB, authorization, HostileNames.job()), status, message);
  }

  private static String basic(String pair) {
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static List<HostileRow> credentials() {
    return List.of(
        row(
            "no Authorization header",
            t -> t.post(Target.JOB, null, Form.TYPE, HostileNames.job().bytes()),
            401,
            REQUIRED),
        upload("unknown worker", "Bearer mallory:secret", 401, "worker token not recognized"),
        row(
            "right worker, wrong secret",
            t -> t.upload(Target.JOB, t.github().replaceFirst(":.*", ":guess"), HostileNames.job()),
            401,
            "worker token not recognized"),
        upload("Basic with broken base64", "Basic %%%not-base64", 401, REQUIRED),
        upload("Basic without a colon", basic("gh"), 401, REQUIRED),
        upload(
            "Bearer with a traversal name",
            "Bearer ../../state:x",
            401,
            "worker token not recognized"),
        upload("Digest scheme", "Digest username=\"gh\"", 401, REQUIRED),
        upload("a 600-character token", "Bearer gh:" + "x".repeat(600), 401, REQUIRED),
        row(
            "sourcehut token uploads github results",
            t -> t.upload(Target.JOB, t.sourcehut(), HostileNames.job()),
            403,
            "worker 'srht' may not write 'github-jobs'"),
        row(
            "status-only token uploads github results",
            t -> t.upload(Target.JOB, t.statusOnly(), HostileNames.job()),
            403,
            "worker 'status' may not write 'github-jobs'"),
        row(
            "sourcehut token asks to update the status API",
            t ->
                t.event(
                    "eventName=done&workerHost=sourcehut&runId=345&jobName=dev-minimal&status=0"
                        + "&updateStatusApi=1",
                    t.sourcehut()),
            403,
            "worker 'srht' may not write 'status-api'"),
        row(
            "sourcehut token posts a github event",
            t ->
                t.event(
                    "eventName=start&workerHost=github&runId=4101&jobName=cpp-small",
                    t.sourcehut()),
            403,
            "worker 'srht' may not write 'github-jobs'"),
        row(
            "sourcehut token sends wwup github-jobs",
            t ->
                t.upload(
                    "/wwup",
                    t.sourcehut(),
                    new Form().field("payload-type", "github-jobs").field("subdir", "4101")),
            403,
            "worker 'srht' may not write 'github-jobs'"),
        row(
            "sourcehut token sends wwup status-api",
            t -> t.upload("/wwup", t.sourcehut(), new Form().field("payload-type", "status-api")),
            403,
            "worker 'srht' may not write 'status-api'"),
        row(
            "sourcehut token runs the github done hook",
            t ->
                t.upload(
                    "/wwup",
                    t.sourcehut(),
                    new Form()
                        .field("run-hook", "soil-event-job-done")
                        .field("arg1", "github-")
                        .field("arg2", "4101")),
            403,
            "worker 'srht' may not write 'github-jobs'"));
  }

  static List<HostileRow> reads() {
    String wwz = "/github-jobs/4101/cpp-small.wwz/";
    String rule = HostileNames.ZIP_RULE;
    return List.of(
        row(
            "wwz entry ../../../../etc/passwd",
            t -> t.get(wwz + "../../../../etc/passwd"),
            400,
            "path '../../../../etc/passwd" + rule),
        row(
            "wwz entry %2e%2e/%2e%2e/state",
            t -> t.get(wwz + "%2e%2e/%2e%2e/%2e%2e/state/workers.json"),
            400,
            "path '../../../state/workers.json" + rule),
        row(
            "wwz entry ..%2f..%2fx",
            t -> t.get(wwz + "..%2f..%2f..%2fstate"),
            404,
            "no file '..%2f..%2f..%2fstate' in this zip"),
        row(
            "log view with from twice",
            t -> t.get(wwz + "_tmp/soil/logs/unit.txt?view&from=1&from=2"),
            400,
            "query parameter 'from' must be given once"),
        row("wwz entry with backslashes", t -> t.get(wwz + "_tmp\\..\\..\\x"), 400, ""),
        row(
            "wwz entry with a NUL",
            t -> t.get(wwz + "index.html%00.txt"),
            400,
            "path 'index.html\\x00.txt" + rule),
        row(
            "wwz entry 2000 characters",
            t -> t.get(wwz + "a".repeat(2000)),
            400,
            "path '" + "a".repeat(120) + "..." + rule),
        row(
            "hidden .tmp wwz",
            t -> t.get("/github-jobs/4101/.tmp-x.wwz/"),
            400,
            "path 'github-jobs/4101/.tmp-x.wwz' must not have empty or hidden segments, backslashes"
                + " or control characters"),
        row(
            "wwz in a folder with a newline",
            t -> t.get("/github-jobs/%0a/cpp-small.wwz/x"),
            400,
            "path 'github-jobs/\\x0a/cpp-small.wwz' must not have empty or hidden segments,"
                + " backslashes or control characters"),
        row(
            "wwz named with an escape",
            t -> t.get("/github-jobs/4101/%1b[2Jx.wwz/"),
            400,
            "path 'github-jobs/4101/\\x1b[2Jx.wwz' must not have empty or hidden segments,"
                + " backslashes or control characters"),
        row("site file ../state", t -> t.get("/../state/workers.json"), 404, "not found"),
        row("site file %2e%2e/state", t -> t.get("/%2e%2e/state/workers.json"), 404, "not found"),
        row("status-api ../../..", t -> t.get("/status-api/../../../etc/passwd"), 404, "not found"),
        row(
            "a header over the limit",
            t ->
                t.raw(
                    ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: "
                            + "x".repeat(64 * 1024)
                            + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII),
                    null),
            400,
            ""),
        row(
            "PUT over the site",
            t ->
                t.raw(
                    "PUT /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                        .getBytes(StandardCharsets.US_ASCII),
                    null),
            405,
            "method PUT is not allowed on /index.html"),
        row(
            "DELETE a job",
            t ->
                t.raw(
                    "DELETE /github-jobs/4101/cpp-small.json HTTP/1.1\r\nHost: x\r\n"
                        .getBytes(StandardCharsets.US_ASCII),
                    null),
            405,
            "method DELETE is not allowed on /github-jobs/4101/cpp-small.json"));
  }
}
