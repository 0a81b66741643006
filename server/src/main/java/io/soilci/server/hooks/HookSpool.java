package io.soilci.server.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.files.AtomicFiles;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hook events not run yet, one file each ({@code STATE/hooks/OWNER/SEQUENCE.json}: the event's
 * name and environment), written durably before the event is queued and deleted once its hook ran,
 * so that a crash loses none: a start queues what is left again, oldest first.
 */
final class HookSpool {
  private static final Logger LOG = LoggerFactory.getLogger(HookSpool.class);

  private static final Pattern NAME = Pattern.compile("[0-9]{16}\\.json");
  private static final Pattern OWNER = Pattern.compile("[a-z]{1,20}");

  private final Path folder;
  private final AtomicLong next = new AtomicLong();
  private volatile boolean made;

  private HookSpool(Path folder) {
    this.folder = folder;
  }

  /** The spool {@code STATE/hooks/OWNER}; nothing is read or made yet. */
  static HookSpool in(StateLayout state, String owner) {
    if (!OWNER.matcher(owner).matches()) {
      throw new IllegalArgumentException("hook spool owner must be 1-20 letters a-z: " + owner);
    }
    return new HookSpool(state.hookSpool(owner));
  }

  Path folder() {
    return folder;
  }

  /** A spooled event and its file. */
  record Spooled(HookEvent event, Path file) {}

  /**
   * The events left here, oldest first; later writes are numbered after them. A file cut off while
   * being written (a temp file) or that does not hold an event is deleted, with a warning.
   */
  List<Spooled> left() throws IOException {
    List<Spooled> left = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return left;
    }
    made = true;
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      entries.forEach(files::add);
    }
    files.sort(Comparator.comparing(file -> file.getFileName().toString()));
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (AtomicFiles.isTemp(file)) {
        Files.deleteIfExists(file); // a spool write cut off: its event was never answered
      } else if (!NAME.matcher(name).matches()) {
        LOG.warn("hook spool {}: {} is not a spooled hook event; left alone", folder, name);
      } else {
        next.accumulateAndGet(Long.parseLong(name.substring(0, 16)) + 1, Math::max);
        HookEvent event = read(file);
        if (event != null) {
          left.add(new Spooled(event, file));
        }
      }
    }
    return left;
  }

  private static @Nullable HookEvent read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      LOG.warn(
          "hook spool: {} could not be read ({}); left for the next start", file, e.toString());
      return null;
    }
    try {
      JsonNode node = Codec.JSON.readTree(bytes);
      JsonNode env = node == null ? null : node.get("env");
      JsonNode name = node == null ? null : node.get("event");
      if (name == null || !name.isTextual() || env == null || !env.isObject()) {
        throw new IllegalArgumentException("no \"event\" text and \"env\" object");
      }
      Map<String, String> facts = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> fact : env.properties()) {
        if (!fact.getValue().isTextual()) {
          throw new IllegalArgumentException("env." + fact.getKey() + " is not text");
        }
        facts.put(fact.getKey(), fact.getValue().textValue());
      }
      return new HookEvent(name.textValue(), facts);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String why = e.getMessage();
      LOG.warn(
          "hook spool: {} does not hold a hook event ({}); deleted, its hook does not run",
          file,
          why == null ? e.toString() : why.lines().findFirst().orElse(why));
      Files.deleteIfExists(file);
      return null;
    }
  }

  /**
   * Writes {@code event} durably (temp file, fsync, rename, fsync of the folder); returns its file.
   */
  Path write(HookEvent event) throws IOException {
    ObjectNode node = Codec.JSON.createObjectNode();
    node.put("event", event.name());
    ObjectNode env = node.putObject("env");
    event.env().forEach(env::put);
    byte[] bytes = Codec.JSON.writeValueAsBytes(node);
    Path file = folder.resolve(String.format("%016d.json", next.getAndIncrement()));
    if (!made) {
      makeFolder();
    }
    Path temp = AtomicFiles.writeTemp(file, bytes);
    try {
      AtomicFiles.commit(temp, file);
    } finally {
      Files.deleteIfExists(temp);
    }
    return file;
  }

  /** The first write: the folder is made, and durably so (its parents synced). */
  private synchronized void makeFolder() throws IOException {
    if (made) {
      return;
    }
    Path hooks = Objects.requireNonNull(folder.getParent());
    Path state = Objects.requireNonNull(hooks.getParent());
    Files.createDirectories(folder);
    AtomicFiles.syncDirectory(hooks);
    AtomicFiles.syncDirectory(state);
    made = true;
  }

  /**
   * The hook of {@code file}'s event ran: the file goes (not synced: a deletion lost to a power cut
   * only runs the hook once more).
   */
  void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn(
          "hook spool: {} could not be deleted ({}): its hook runs again at the next start",
          file,
          e.toString());
    }
  }

  /** Jackson, made on the first spooled event (a start with an empty spool never needs it). */
  private static final class Codec {
    static final ObjectMapper JSON = new ObjectMapper();
  }
}
