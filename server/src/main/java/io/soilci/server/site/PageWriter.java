package io.soilci.server.site;

import io.soilci.server.storage.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Writes derived pages so that no two writers race on one page (Soil's bug #1169) and an older
 * version never lands over a newer one: each page renders under its own lock from the index as it
 * is then, so the last write reflects every change made before it began. A change that a later
 * render already covered is not rendered again; a page whose bytes did not change is not rewritten.
 */
final class PageWriter {
  private final Path root;
  private final PageRenderer renderer;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();

  PageWriter(Path root, PageRenderer renderer) {
    this.root = root;
    this.renderer = renderer;
  }

  /** Brings {@code page} up to date with the index; call after the index changed. */
  void update(Page page) throws IOException {
    Slot slot = slots.computeIfAbsent(page.path(), p -> new Slot());
    long mine = slot.requested.incrementAndGet();
    synchronized (slot) {
      if (slot.rendered >= mine) {
        return;
      }
      long upTo = slot.requested.get();
      write(page, slot, page.render(renderer));
      slot.rendered = upTo;
    }
  }

  private void write(Page page, Slot slot, byte @Nullable [] bytes) throws IOException {
    Path file = root.resolve(page.path());
    if (bytes == null) {
      slot.digest = null;
      if (Files.deleteIfExists(file)) {
        AtomicFiles.syncDirectory(Objects.requireNonNull(file.toAbsolutePath().getParent()));
        slot.writes++;
        writes.incrementAndGet();
      }
      return;
    }
    byte[] digest = sha256(bytes);
    if (slot.digest != null && Arrays.equals(slot.digest, digest) && Files.exists(file)) {
      return;
    }
    AtomicFiles.write(file, bytes);
    slot.digest = digest;
    slot.writes++;
    writes.incrementAndGet();
  }

  /** How many times this writer wrote or deleted {@code path} (for tests and metrics). */
  int writeCount(String path) {
    Slot slot = slots.get(path);
    if (slot == null) {
      return 0;
    }
    synchronized (slot) {
      return slot.writes;
    }
  }

  /** Files written or deleted since start. */
  long writes() {
    return writes.get();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static final class Slot {
    final AtomicLong requested = new AtomicLong();
    long rendered;
    int writes;
    byte @Nullable [] digest;
  }
}
