package io.soilci.server.reliability;

import static io.soilci.server.reliability.Form.utf8;
import static io.soilci.server.reliability.HostileNames.ZIP_RULE;
import static io.soilci.server.reliability.HostileNames.fixture;
import static io.soilci.server.reliability.HostileRow.row;

import io.soilci.server.testing.Zips;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile bodies: zip slip and zip bombs, JSON and TSV that are huge, nested, cut or of the wrong
 * shape, multipart that is cut, flooded or endless. The server's limits for these rows are {@link
 * HostileInputIT#LIMITS}.
 */
final class HostileBodies {
  private HostileBodies() {}

  private static Form job(byte[] wwz, byte[] tsv, byte[] json) {
    return new Form()
        .file("wwz", "cpp-small.wwz", wwz)
        .file("tsv", "cpp-small.tsv", tsv)
        .file("json", "cpp-small.json", json);
  }

  private static HostileRow wwz(String name, byte[] wwz, String message) {
    Form form = job(wwz, fixture("cpp-small.tsv"), fixture("cpp-small.json"));
    return row(name, t -> t.upload(Target.JOB, t.github(), form), 400, message);
  }

  private static HostileRow tsv(String name, byte[] tsv, String message) {
    Form form = job(fixture("cpp-small.wwz"), tsv, fixture("cpp-small.json"));
    return row(name, t -> t.upload(Target.JOB, t.github(), form), 400, message);
  }

  private static HostileRow json(String name, byte[] json, String message) {
    Form form = job(fixture("cpp-small.wwz"), fixture("cpp-small.tsv"), json);
    return row(name, t -> t.upload(Target.JOB, t.github(), form), 400, message);
  }

  static List<HostileRow> zips() {
    return List.of(
        wwz(
            "zip slip ../../evil",
            HostileZips.named("../../evil.txt"),
            "cpp-small.wwz entry '../../evil.txt" + ZIP_RULE),
        wwz(
            "zip slip /etc/passwd",
            HostileZips.named("/etc/passwd"),
            "cpp-small.wwz entry '/etc/passwd" + ZIP_RULE),
        wwz(
            "zip slip a/../../x",
            HostileZips.named("a/../../x"),
            "cpp-small.wwz entry 'a/../../x" + ZIP_RULE),
        wwz(
            "zip slip backslashes",
            HostileZips.named("a\\..\\..\\x"),
            "cpp-small.wwz entry 'a/../../x" + ZIP_RULE),
        wwz(
            "zip entry with a NUL",
            HostileZips.named("a\u0000.txt"),
            "cpp-small.wwz entry 'a\\x00.txt" + ZIP_RULE),
        wwz(
            "zip entry named twice",
            Zips.duplicated("index.html"),
            "cpp-small.wwz entry 'index.html' appears more than once"),
        wwz(
            "zip entry a symlink",
            Zips.symlink("passwd"),
            "cpp-small.wwz entry 'passwd' is a symbolic link"),
        wwz(
            "zip entry encrypted",
            Zips.markedEncrypted(Zips.of(java.util.Map.of("a.txt", "x"))),
            "cpp-small.wwz entry 'a.txt' is encrypted"),
        wwz(
            "zip bomb: 64 MiB of zeros deflated",
            Zips.zeros("zeros.txt", 64 << 20),
            "cpp-small.wwz entry 'zeros.txt' expands 1028 times, more than maxCompressionRatio 200"),
        wwz(
            "zip bomb: 900 overlapping entries",
            HostileZips.overlapping(900, 64 * 1024),
            "cpp-small.wwz expands 517 times, more than maxCompressionRatio 200"),
        wwz(
            "zip of 1001 entries",
            HostileZips.flood(1001),
            "cpp-small.wwz has more than 1000 entries (maxZipEntries)"),
        wwz(
            "not a zip",
            utf8("MZ this is not a zip"),
            "cpp-small.wwz is not a readable zip file: Archive is not a ZIP archive"),
        wwz(
            "zip cut in half",
            Arrays.copyOf(fixture("cpp-small.wwz"), 1600),
            "cpp-small.wwz is not a readable zip file: Archive is not a ZIP archive"));
  }

  static List<HostileRow> jsonAndTsv() {
    String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    return List.of(
        json(
            "JSON of 300 KB",
            utf8("{\"job-name\":\"cpp-small\",\"x\":\"" + "y".repeat(300_000) + "\"}"),
            "cpp-small.json is larger than 262144 bytes"),
        json(
            "JSON nested 100,000 deep",
            utf8(deep),
            "cpp-small.json: key \"a\" must be a string or null"),
        json(
            "JSON array",
            utf8("[\"job-name\", \"cpp-small\"]"),
            "cpp-small.json must be a JSON object"),
        json("JSON string", utf8("\"cpp-small\""), "cpp-small.json must be a JSON object"),
        json(
            "JSON cut off",
            utf8("{\"job-name\": \"cpp-small\""),
            "cpp-small.json is not valid JSON: Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"),
        json(
            "JSON job-name ../../x",
            utf8("{\"job-name\": \"../../x\"}"),
            "cpp-small.json: jobName '../../x" + HostileNames.RULE),
        json(
            "JSON job-name of another job",
            utf8("{\"job-name\": \"dev-minimal\"}"),
            "cpp-small.json: job-name 'dev-minimal' must equal the job's name 'cpp-small'"),
        json(
            "JSON without job-name",
            utf8("{}"),
            "cpp-small.json: JOB.json must have a string \"job-name\""),
        json(
            "JSON with data after it",
            utf8("{\"job-name\": \"cpp-small\"} {}"),
            "cpp-small.json has data after its JSON object"),
        json(
            "JSON of invalid UTF-8",
            new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'},
            "cpp-small.json is not valid JSON: Invalid UTF-8 start byte 0xff"),
        tsv(
            "TSV with 5 columns",
            utf8("0\t1.0\tunit\ttest/unit.sh\tall\n"),
            "cpp-small.tsv line 1: has 5 columns, expected 6 (status, elapsed, name, script_name, func, results_url)"),
        tsv(
            "TSV with a 2 MB line",
            utf8("0\t1.0\t" + "u".repeat(2 << 20) + "\ta\tb\t-\n"),
            "cpp-small.tsv is larger than 1048576 bytes"),
        tsv(
            "TSV status not a number",
            utf8("x\t1.0\tunit\ta\tb\t-\n"),
            "cpp-small.tsv line 1: status 'x' must be 0-255 in ASCII digits"),
        tsv(
            "TSV elapsed NaN",
            utf8("0\tNaN\tunit\ta\tb\t-\n"),
            "cpp-small.tsv line 1: elapsed 'NaN' is not a number of seconds"),
        tsv(
            "TSV task ../../x",
            utf8("0\t1.0\t../../x\ta\tb\t-\n"),
            "cpp-small.tsv line 1: task name '../../x" + HostileNames.RULE),
        tsv(
            "TSV task named twice",
            utf8("0\t1.0\tunit\ta\tb\t-\n0\t1.0\tunit\ta\tb\t-\n"),
            "cpp-small.tsv line 2: task name 'unit' repeats"),
        tsv("TSV of 10,001 rows", manyRows(10_001), "cpp-small.tsv has more than 10000 rows"));
  }

  private static byte[] manyRows(int count) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append("0\t1.0\tt").append(i).append("\ta\tb\t-\n");
    }
    return utf8(out.toString());
  }

  static List<HostileRow> multipart() {
    Form whole = HostileNames.job();
    return List.of(
        row(
            "multipart cut before its end",
            t -> t.post(Target.JOB, t.github(), Form.TYPE, whole.unterminated()),
            400,
            "request is not valid multipart/form-data: Stream ended unexpectedly"),
        row(
            "multipart with a wrong boundary",
            t ->
                t.post(
                    Target.JOB, t.github(), "multipart/form-data; boundary=../..", whole.bytes()),
            400,
            "part 'wwz' (the job's .wwz file) is missing"),
        row(
            "not multipart at all",
            t -> t.post(Target.JOB, t.github(), "application/json", utf8("{}")),
            400,
            "Content-Type 'application/json' must be multipart/form-data"),
        row(
            "json part missing",
            t ->
                t.upload(
                    Target.JOB,
                    t.github(),
                    new Form()
                        .file("wwz", "cpp-small.wwz", fixture("cpp-small.wwz"))
                        .file("tsv", "cpp-small.tsv", fixture("cpp-small.tsv"))),
            400,
            "part 'json' (the job's .json file) is missing"),
        row(
            "wwz part sent twice",
            t ->
                t.upload(
                    Target.JOB,
                    t.github(),
                    new Form()
                        .file("wwz", "a.wwz", fixture("cpp-small.wwz"))
                        .file("wwz", "b.wwz", fixture("cpp-small.wwz"))),
            400,
            "the wwz file (cpp-small.wwz) was sent twice"),
        row(
            "part name of invalid UTF-8",
            t ->
                t.upload(
                    Target.JOB,
                    t.github(),
                    new Form()
                        .part(
                            new byte[] {'n', 'a', 'm', 'e', '=', '"', (byte) 0xc3, '"'},
                            utf8("x"))),
            400,
            "part '\uFFFD' must be one of wwz, tsv, json"),
        row(
            "part header of 100 KB",
            t ->
                t.upload(
                    Target.JOB,
                    t.github(),
                    new Form().file("wwz", "x".repeat(100_000) + ".wwz", utf8("x"))),
            413,
            "a part's headers are larger than the limit of 16384 bytes"),
        row(
            "100,000 tiny parts, streamed",
            t -> t.chunked("/wwup", t.github(), Form.TYPE, HostileBodies::tinyParts),
            400,
            "request has more than 16 parts"),
        row(
            "1 GB body declared, streamed from a generator",
            t ->
                t.raw(
                    ("POST "
                            + Target.JOB
                            + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                            + t.github()
                            + "\r\nContent-Type: "
                            + Form.TYPE
                            + "\r\nContent-Length: "
                            + (1L << 30)
                            + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII),
                    out -> zeros(out, 1L << 30)),
            413,
            "request body is larger than the limit of 16777216 bytes"),
        row(
            "1 GB chunked body, streamed from a generator",
            t -> t.chunked(Target.JOB, t.github(), Form.TYPE, HostileBodies::gigabytePart),
            413,
            "request body is larger than the limit of 16777216 bytes"));
  }

  /** A status-api form of 16 good parts, then 99,984 more, all generated as they are sent. */
  private static void tinyParts(OutputStream socket) throws IOException {
    Chunked out = new Chunked(socket);
    String boundary = "--" + Form.BOUNDARY + "\r\nContent-Disposition: form-data; ";
    out.write(utf8(boundary + "name=\"payload-type\"\r\n\r\nstatus-api\r\n"));
    out.write(utf8(boundary + "name=\"subdir\"\r\n\r\ngithub/94101\r\n"));
    for (int i = 1; i <= 99_998; i++) {
      out.write(
          utf8(
              boundary
                  + "name=\"file"
                  + (i % 9000 + 1)
                  + "\"; filename=\"j"
                  + i
                  + ".status.txt\"\r\n\r\n0 1\r\n"));
    }
    out.write(utf8("--" + Form.BOUNDARY + "--\r\n"));
    out.finish();
  }

  /** One wwz part of 1 GiB of zeros, chunked. */
  private static void gigabytePart(OutputStream socket) throws IOException {
    Chunked out = new Chunked(socket);
    out.write(
        utf8(
            "--"
                + Form.BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"wwz\";"
                + " filename=\"cpp-small.wwz\"\r\n\r\n"));
    zeros(out, 1L << 30);
    out.finish();
  }

  private static void zeros(OutputStream out, long count) throws IOException {
    byte[] block = new byte[64 * 1024];
    for (long left = count; left > 0; left -= block.length) {
      out.write(block, 0, (int) Math.min(block.length, left));
    }
  }
}
