package io.soilci.worker.run;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ParallelScatterZipCreator;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.parallel.FileBasedScatterGatherBackingStore;
import org.apache.commons.compress.parallel.InputStreamSupplier;

/**
 * Writes a job's wwz: an ordinary deflated zip, entries compressed on every core at once and
 * streamed through temp files, so memory stays flat whatever the logs weigh; a small one (under
 * {@link #SERIAL_BELOW} bytes) entry by entry on the calling thread.
 */
final class WwzWriter {
  private static final int FILE_MODE = 0644;

  private WwzWriter() {}

  /**
   * Deflate's level when none is given. Soil's {@code zip} uses 6; on CI logs 5 deflates ~1.5x
   * faster for ~5% more bytes (docs/BENCHMARKS.md).
   */
  static final int DEFAULT_LEVEL = 5;

  /**
   * Below this many bytes in all, the entries are deflated one after another on the calling thread:
   * a pool, a temp file per thread and the copy out of it cost a short job more than a second core
   * gives back (docs/BENCHMARKS.md, "Worker start-up").
   */
  static final long SERIAL_BELOW = 2 << 20;

  /**
   * Writes {@code index.html} then {@code entries} to {@code zip} (created or replaced), deflated
   * at {@code level} (1 fastest, 9 smallest).
   */
  static WwzStats write(Path zip, byte[] indexHtml, List<WwzEntry> entries, int level)
      throws IOException {
    FileTime now = FileTime.fromMillis(System.currentTimeMillis());
    return write(zip, indexHtml, now, entries, level, SERIAL_BELOW);
  }

  /**
   * As {@link #write(Path, byte[], List, int)}, {@code index.html} dated {@code now}, on one thread
   * below {@code serialBelow} bytes.
   */
  static WwzStats write(
      Path zip, byte[] indexHtml, FileTime now, List<WwzEntry> entries, int level, long serialBelow)
      throws IOException {
    long start = System.nanoTime();
    long inputBytes = indexHtml.length;
    for (WwzEntry e : entries) {
      inputBytes += Files.size(e.file());
    }
    if (inputBytes < serialBelow) {
      writeSerially(zip, indexHtml, entries, level, now);
    } else {
      writeInParallel(zip, indexHtml, entries, level, now);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new WwzStats(entries.size() + 1, inputBytes, Files.size(zip), seconds);
  }

  private static void writeSerially(
      Path zip, byte[] indexHtml, List<WwzEntry> entries, int level, FileTime now)
      throws IOException {
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
      out.setLevel(level);
      add(out, entry("index.html", now), indexHtml.length, new ByteArrayInputStream(indexHtml));
      for (WwzEntry e : entries) {
        try (InputStream in = Files.newInputStream(e.file())) {
          add(out, entry(e.name(), Files.getLastModifiedTime(e.file())), Files.size(e.file()), in);
        }
      }
    }
  }

  private static void add(
      ZipArchiveOutputStream out, ZipArchiveEntry entry, long size, InputStream in)
      throws IOException {
    // The size it has now (the stream writes the size it read): with none, the stream reserves a
    // Zip64 field in the local header.
    entry.setSize(size);
    out.putArchiveEntry(entry);
    in.transferTo(out);
    out.closeArchiveEntry();
  }

  private static void writeInParallel(
      Path zip, byte[] indexHtml, List<WwzEntry> entries, int level, FileTime now)
      throws IOException {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    ParallelScatterZipCreator creator =
        new ParallelScatterZipCreator(
            pool,
            () ->
                new FileBasedScatterGatherBackingStore(
                    Files.createTempFile("soil-wwz-", ".deflated")),
            level);
    creator.addArchiveEntry(entry("index.html", now), () -> new ByteArrayInputStream(indexHtml));
    for (WwzEntry e : entries) {
      creator.addArchiveEntry(
          entry(e.name(), Files.getLastModifiedTime(e.file())), opener(e.file()));
    }
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
      creator.writeTo(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing " + zip, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("packaging " + zip + " failed: " + cause.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static ZipArchiveEntry entry(String name, FileTime time) {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setMethod(ZipEntry.DEFLATED);
    entry.setUnixMode(FILE_MODE);
    entry.setLastModifiedTime(time);
    return entry;
  }

  private static InputStreamSupplier opener(Path file) {
    return () -> {
      try {
        // Commons Compress reads 4 KiB at a time: buffer to spare a system call each.
        return new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
