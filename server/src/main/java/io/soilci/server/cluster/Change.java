package io.soilci.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * One committed change of the site, as every replica applies it: small JSON with a version.
 *
 * @param version the message format; a replica refuses one it does not know ({@link #decode})
 * @param kind what happened: {@code stored}, {@code start}, {@code task-start}, {@code task-done},
 *     {@code done}, {@code lost}, {@code heard}, {@code status-files}, {@code run-stored}
 * @param origin the replica that accepted it (and published it before applying it)
 * @param job {@code HOST/RUN/JOB}, or {@code HOST/RUN} for a change of a run
 * @param at when it happened at its origin, epoch millis: every replica applies that time, so their
 *     pages are the same bytes
 * @param fields what else the kind needs, as strings (sorted, so the encoding is canonical)
 */
public record Change(
    int version, String kind, String origin, String job, long at, Map<String, String> fields) {
  /** The message format this server writes and reads. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  public Change {
    fields = new TreeMap<>(fields);
  }

  /** A change of {@code job} in the current format. */
  public static Change of(
      String kind, String origin, JobRef job, long at, Map<String, String> fields) {
    return new Change(VERSION, kind, origin, job.toString(), at, fields);
  }

  /** A change of a whole run in the current format. */
  public static Change ofRun(
      String kind, String origin, WorkerHost host, RunId run, long at, Map<String, String> fields) {
    return new Change(VERSION, kind, origin, host.prefix() + "/" + run.value(), at, fields);
  }

  /** The host of a run's change. */
  public WorkerHost host() {
    return WorkerHost.fromPrefix(job.substring(0, job.indexOf('/')));
  }

  /** The run of a run's change. */
  public RunId run() {
    String[] parts = job.split("/", -1);
    return new RunId(parts[1]);
  }

  /** The job this change is about. */
  public JobRef jobRef() {
    String[] parts = job.split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "change job '" + job + "' must be HOST/RUN/JOB, e.g. github-jobs/4101/cpp");
    }
    return new JobRef(WorkerHost.fromPrefix(parts[0]), new RunId(parts[1]), new JobName(parts[2]));
  }

  /** A field this kind must carry. */
  public String field(String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "change " + kind + " of " + job + " lacks its field '" + name + "'");
    }
    return value;
  }

  /** The stream's subject: {@code soil.changes.HOST}, so a host's changes can be partitioned. */
  public String subject() {
    return ChangeStream.SUBJECTS_PREFIX + job.substring(0, job.indexOf('/'));
  }

  /**
   * The message id JetStream drops a duplicate by: an upload's is its job and the hash of its files
   * ({@code stored}), so the same files sent again are one message (sent again after a later upload
   * of the job, with the sequence of their first copy: {@link ChangeKinds#AGAIN_AFTER}); any
   * other's is the hash of its content.
   */
  public String id() {
    if (kind.equals(ChangeKinds.STORED)) {
      String again = fields.get(ChangeKinds.AGAIN_AFTER);
      return job
          + "@"
          + field(ChangeKinds.FILES_SHA256)
          + (again == null ? "" : "@" + ChangeKinds.AGAIN_AFTER + "-" + again);
    }
    return kind + ":" + job + "@" + sha256(encode());
  }

  /** This change with the field {@code name} set to {@code value}. */
  Change with(String name, String value) {
    Map<String, String> more = new TreeMap<>(fields);
    more.put(name, value);
    return new Change(version, kind, origin, job, at, more);
  }

  /** The message's bytes. */
  public byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a change did not encode as JSON", e);
    }
  }

  /**
   * The change these bytes hold; {@link UnknownVersion} for a version this server does not know (a
   * newer replica wrote it), {@link IOException} for bytes that are not a change.
   */
  public static Change decode(byte[] bytes) throws IOException {
    JsonNode tree = JSON.readTree(bytes);
    if (tree == null || !tree.isObject()) {
      throw new IOException("a change must be a JSON object, not " + abbreviated(bytes));
    }
    int version = tree.path("version").asInt(-1);
    if (version != VERSION) {
      throw new UnknownVersion(
          "change version "
              + tree.path("version")
              + " is not "
              + VERSION
              + ", the version this server reads: upgrade this replica to the others' version ("
              + abbreviated(bytes)
              + ")");
    }
    return JSON.treeToValue(tree, Change.class);
  }

  private static String abbreviated(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  /** The lower-case hex SHA-256 of {@code bytes}. */
  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A change in a format this server does not read: skipped with a log line, never applied. */
  public static final class UnknownVersion extends IOException {
    private static final long serialVersionUID = 1L;

    UnknownVersion(String message) {
      super(message);
    }
  }
}
