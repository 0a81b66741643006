package io.soilci.server.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The workers' names, scopes and secret hashes in {@code STATE/workers.json}, outside the served
 * tree. Re-read when the file changes, so {@code add-worker} works while the server runs.
 */
public final class WorkerStore extends Workers {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A stored worker: who it is and how to check its secret. */
  record Entry(Worker worker, SecretHash secret) {}

  private final Path file;
  private final int iterations;
  private Map<String, Entry> entries = Map.of();
  private String loaded = "";

  /** Opens the store in {@code state}; {@code iterations} is the KDF cost for new workers. */
  public WorkerStore(StateLayout state, int iterations) {
    this.file = state.workers();
    this.iterations = iterations;
  }

  public WorkerStore(StateLayout state) {
    this(state, SecretHash.ITERATIONS);
  }

  /** The KDF cost of new secrets, and of the stand-in checked for an unknown name. */
  @Override
  int iterations() {
    return iterations;
  }

  /** The worker named {@code name}, re-reading the file if it changed. */
  @Override
  synchronized Optional<Entry> find(String name) throws IOException {
    String version = version();
    if (!version.equals(loaded)) {
      entries = version.isEmpty() ? Map.of() : read();
      loaded = version;
    }
    return Optional.ofNullable(entries.get(name));
  }

  /**
   * Identifies one version of the file: every write renames a new file (a new inode) over it. A
   * token verified against another version must be verified again.
   */
  @Override
  String version() throws IOException {
    // One stat, and no date formatting: every write request asks (twice).
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return "";
    }
    return attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)
        + "|"
        + attrs.size()
        + "|"
        + attrs.fileKey();
  }

  /**
   * Adds a worker and returns its secret, which is stored only hashed. An existing name is refused
   * unless {@code replace}.
   */
  public synchronized String add(Worker worker, boolean replace) throws IOException {
    find(worker.name());
    if (entries.containsKey(worker.name()) && !replace) {
      throw new BadInput(
          "worker '" + worker.name() + "' exists; use --replace to give it a new token");
    }
    String secret = SecretHash.newSecret();
    Map<String, Entry> next = new LinkedHashMap<>(entries);
    next.put(worker.name(), new Entry(worker, SecretHash.of(secret, iterations)));
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(java.util.Objects.requireNonNull(dir));
    restrict(dir, "rwx------");
    AtomicFiles.writePrivate(
        file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(format(next)));
    entries = next;
    loaded = version();
    return secret;
  }

  /** The names of the workers the file holds, sorted. */
  public synchronized List<String> names() throws IOException {
    find("");
    return entries.keySet().stream().sorted().toList();
  }

  /** Removes the worker named {@code name}; false if there was none. */
  public synchronized boolean remove(String name) throws IOException {
    find(name);
    if (!entries.containsKey(name)) {
      return false;
    }
    Map<String, Entry> next = new LinkedHashMap<>(entries);
    next.remove(name);
    AtomicFiles.writePrivate(
        file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(format(next)));
    entries = next;
    loaded = version();
    return true;
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own permissions apply.
    }
  }

  /**
   * The workers in the file. A broken file is an I/O failure naming it (one line for a command, a
   * 5xx for a request), never a refusal of the request's own input.
   */
  private Map<String, Entry> read() throws IOException {
    String fix =
        "; restore it from a backup, or move it away and give each worker a new token with"
            + " add-worker";
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new IOException(
          file + " is not valid JSON" + where + " (" + e.getOriginalMessage() + ")" + fix, e);
    }
    try {
      return parse(root);
    } catch (BadInput | IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage() + fix, e);
    }
  }

  private Map<String, Entry> parse(JsonNode root) {
    Map<String, Entry> parsed = new LinkedHashMap<>();
    for (JsonNode w : root.path("workers")) {
      Entry entry = entry(w, file + " scope");
      parsed.put(entry.worker().name(), entry);
    }
    return parsed;
  }

  /** One worker as {@code workers.json} holds it: name, scopes, salt, iterations and hash. */
  static Entry entry(JsonNode w, String where) {
    Base64.Decoder b64 = Base64.getDecoder();
    java.util.Set<Scope> scopes = java.util.EnumSet.noneOf(Scope.class);
    w.path("scopes").forEach(s -> scopes.add(Scope.parse(where, s.asText())));
    Worker worker = new Worker(w.path("name").asText(), scopes);
    SecretHash hash =
        new SecretHash(
            b64.decode(w.path("salt").asText()),
            w.path("iterations").asInt(),
            b64.decode(w.path("hash").asText()));
    return new Entry(worker, hash);
  }

  /** {@code e} as one worker of {@code workers.json}: never the secret, only its hash. */
  static ObjectNode json(Entry e) {
    Base64.Encoder b64 = Base64.getEncoder();
    ObjectNode w = JSON.createObjectNode();
    w.put("name", e.worker().name());
    ArrayNode scopes = w.putArray("scopes");
    e.worker().scopes().stream().sorted().forEach(s -> scopes.add(s.id()));
    w.put("salt", b64.encodeToString(e.secret().salt()));
    w.put("iterations", e.secret().iterations());
    w.put("hash", b64.encodeToString(e.secret().hash()));
    return w;
  }

  private static ObjectNode format(Map<String, Entry> entries) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode workers = root.putArray("workers");
    entries.values().forEach(e -> workers.add(json(e)));
    return root;
  }
}
