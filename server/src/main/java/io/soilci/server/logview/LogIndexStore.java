package io.soilci.server.logview;

import io.soilci.threads.Daemons;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of each viewed log, made on its first view and kept in the server's state folder
 * ({@code STATE/log-index/}, never in the site): its {@link LogFacts} ({@code HASH.idx}, 8 bytes
 * per {@value LogFacts#WINDOW} lines), and for a deflated log over {@value #COPY_OVER} bytes its
 * inflated bytes ({@code HASH.log}), so that a window deep in it is a seek, not an inflate of all
 * before it. Keyed by the zip's version (path, size, time, inode), the entry and the error
 * patterns: a replaced zip or a changed configuration gets a new index. At most {@code budget}
 * bytes in all: the least recently viewed logs' files are deleted first.
 */
public final class LogIndexStore implements AutoCloseable {
  /** The default bound on the folder's size. */
  public static final long DEFAULT_BUDGET = 1L << 30;

  /** A compressed log over this many bytes gets an inflated copy. */
  static final long COPY_OVER = 16L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(LogIndexStore.class);
  private static final String INDEX = ".idx";
  private static final String COPY = ".log";
  private static final String TEMP = ".tmp";

  /** A log's facts and its bytes, from the inflated copy when there is one. */
  public record Indexed(LogFacts facts, LogSource source) {}

  private final Path dir;
  private final long budget;
  private final ErrorPatterns patterns;
  private final String patternsKey;
  private final ExecutorService errorFinders;
  private final Map<String, CompletableFuture<LogFacts>> scanning = new ConcurrentHashMap<>();

  /** The index in {@code dir} (created if missing; files left half-written are deleted). */
  public LogIndexStore(Path dir, long budget, ErrorPatterns patterns) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.budget = budget;
    this.patterns = patterns;
    StringBuilder all = new StringBuilder();
    patterns
        .patterns()
        .forEach(p -> all.append(p.tool()).append('\0').append(p.regex()).append('\0'));
    this.patternsKey = hash(all.toString());
    this.errorFinders = Executors.newFixedThreadPool(2, Daemons.named("log-error-finder"));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(TEMP)).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * The facts of log {@code key} (the zip's version and the entry), read from the index or, on the
   * log's first view, made by reading {@code source} once; concurrent first views share one read.
   */
  public Indexed get(String key, LogSource source) throws IOException {
    String stem = hash(key + "\0" + patternsKey);
    Path index = dir.resolve(stem + INDEX);
    Path copy = dir.resolve(stem + COPY);
    Optional<LogFacts> known = read(key, index);
    LogFacts facts;
    if (known.isPresent()) {
      facts = known.get();
    } else {
      CompletableFuture<LogFacts> mine = new CompletableFuture<>();
      CompletableFuture<LogFacts> running = scanning.putIfAbsent(stem, mine);
      if (running == null) {
        try {
          mine.complete(make(key, source, index, copy));
        } catch (IOException | RuntimeException e) {
          mine.completeExceptionally(e);
        } finally {
          scanning.remove(stem);
        }
      }
      facts = join(running == null ? mine : running);
    }
    return new Indexed(facts, new Copied(source, copy));
  }

  private Optional<LogFacts> read(String key, Path index) {
    try {
      Optional<LogFacts> facts = LogFactsFile.read(key, Files.readAllBytes(index));
      if (facts.isPresent()) {
        Files.setLastModifiedTime(index, FileTime.fromMillis(System.currentTimeMillis()));
      }
      return facts;
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("cannot read the log index {}: {}; reading the log again", index, e.toString());
      return Optional.empty();
    }
  }

  private LogFacts make(String key, LogSource source, Path index, Path copy) throws IOException {
    boolean copied =
        source.compressed() && source.size() > COPY_OVER && source.size() <= budget / 4;
    Path temp = dir.resolve(copy.getFileName() + TEMP);
    LogFacts facts;
    if (copied) {
      try {
        try (CopyOut out = new CopyOut(temp)) {
          facts = LogScan.scan(source, patterns, errorFinders, out);
          copied = out.whole(source.size());
        }
        if (copied) {
          Files.move(
              temp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        // A read that failed (a zip cut short) or a copy not whole leaves no half copy behind.
        Files.deleteIfExists(temp);
      }
    } else {
      facts = LogScan.scan(source, patterns, errorFinders, null);
    }
    try {
      // Not synced: it is a cache, and a file cut short by a crash fails its CRC and is made again.
      Path indexTemp = dir.resolve(index.getFileName() + TEMP);
      Files.write(indexTemp, LogFactsFile.write(key, facts));
      Files.move(
          indexTemp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot write the log index {}: {}", index, e.toString());
    }
    evict(index.getFileName().toString());
    return facts;
  }

  private static LogFacts join(CompletableFuture<LogFacts> scan) throws IOException {
    try {
      return scan.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw e;
    }
  }

  /** Deletes the least recently viewed logs' files until the folder fits the budget. */
  private synchronized void evict(String keep) {
    record Log(String stem, long bytes, long viewed) {}
    List<Log> logs = new ArrayList<>();
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(INDEX)).toList()) {
        String name = f.getFileName().toString();
        String stem = name.substring(0, name.length() - INDEX.length());
        long bytes = size(f) + size(dir.resolve(stem + COPY));
        total += bytes;
        if (!name.equals(keep)) {
          logs.add(new Log(stem, bytes, lastModified(f)));
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list the log index {}: {}", dir, e.toString());
      return;
    }
    logs.sort(Comparator.comparingLong(Log::viewed));
    for (int i = 0; i < logs.size() && total > budget; i++) {
      Log log = logs.get(i);
      try {
        Files.deleteIfExists(dir.resolve(log.stem() + INDEX));
        Files.deleteIfExists(dir.resolve(log.stem() + COPY));
        total -= log.bytes();
      } catch (IOException e) {
        LOG.warn("cannot delete the log index {}: {}", log.stem(), e.toString());
      }
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }

  private static long lastModified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String hash(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    errorFinders.shutdownNow();
  }

  /** A log read from its inflated copy when the copy is there and whole, else from its source. */
  private record Copied(LogSource source, Path copy) implements LogSource {
    @Override
    public InputStream open() throws IOException {
      return openAt(0);
    }

    @Override
    public long size() {
      return source.size();
    }

    @Override
    public boolean compressed() {
      return source.compressed();
    }

    @Override
    public InputStream openAt(long offset) throws IOException {
      FileChannel file;
      try {
        file = FileChannel.open(copy, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        return source.openAt(offset);
      }
      if (file.size() != source.size()) {
        file.close();
        return source.openAt(offset);
      }
      return Channels.newInputStream(file.position(offset));
    }
  }

  /**
   * The copy being written: a failed write (a full disk) stops the copy, never the view, which then
   * reads the zip.
   */
  private static final class CopyOut extends OutputStream {
    private final Path file;
    private OutputStream out;
    private long written;
    private boolean failed;

    CopyOut(Path file) throws IOException {
      this.file = file;
      this.out = Files.newOutputStream(file);
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (failed) {
        return;
      }
      try {
        out.write(b, off, len);
        written += len;
      } catch (IOException e) {
        failed = true;
        LOG.warn("cannot write the inflated copy {}: {}", file, e.toString());
      }
    }

    boolean whole(long size) {
      return !failed && written == size;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
