package io.soilci.server.wwz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries of a wwz read from a store by ranges, the requests counted; the folder here, a real S3
 * server in {@link BucketWwzIT}.
 */
class BucketWwzTest {
  static final String KEY = "github-jobs/4101/cpp.wwz";

  @TempDir Path dir;
  CountingStore store;
  BucketWwz wwz;
  String log;

  /** An empty store for one test. */
  ObjectStore newStore() throws IOException {
    return new FolderObjectStore(dir.resolve("objects"));
  }

  @BeforeEach
  void putAZip() throws IOException {
    store = new CountingStore(newStore());
    log = random(1, 20_000);
    store.put(KEY, zip(log, "<h1>tasks</h1>"), "application/zip");
    wwz = new BucketWwz(store, 16);
  }

  /**
   * {@code lines} lines of random hex (so that deflate cannot shrink them much), from {@code seed}.
   */
  static String random(long seed, int lines) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      text.append("line ").append(i).append(": ");
      text.append(Long.toHexString(random.nextLong())).append(Long.toHexString(random.nextLong()));
      text.append('\n');
    }
    return text.toString();
  }

  /**
   * A zip larger than the end read for its directory: a stored page first, a deflated log, then 500
   * files; only the last of them lie in that end.
   */
  static byte[] zip(String log, String page) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      byte[] html = page.getBytes(UTF_8);
      ZipEntry stored = new ZipEntry("index.html");
      stored.setMethod(ZipEntry.STORED);
      stored.setSize(html.length);
      CRC32 crc = new CRC32();
      crc.update(html);
      stored.setCrc(crc.getValue());
      out.putNextEntry(stored);
      out.write(html);
      out.putNextEntry(new ZipEntry("_tmp/soil/logs/cpp.txt"));
      out.write(log.getBytes(UTF_8));
      for (int i = 0; i < 500; i++) {
        out.putNextEntry(new ZipEntry("_tmp/soil/extra/file-" + i + ".txt"));
        out.write(random(i, 30).getBytes(UTF_8));
      }
    }
    return bytes.toByteArray();
  }

  static String text(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return new String(bytes, UTF_8);
  }

  @Test
  void theZipIsLargerThanTheEndReadForItsDirectory() throws IOException {
    assertThat(store.head(KEY).orElseThrow().length()).isGreaterThan(2L * ObjectChannel.TAIL);
  }

  @Test
  void readsTheDirectoryOnceAndEachEntryWithOneRangedGet() throws IOException {
    assertThat(text(wwz.entry(KEY, "_tmp/soil/logs/cpp.txt").orElseThrow())).isEqualTo(log);
    assertThat(store.heads.get()).isEqualTo(1);
    assertThat(store.rangedGets.get()).isEqualTo(2);

    assertThat(text(wwz.entry(KEY, "index.html").orElseThrow())).isEqualTo("<h1>tasks</h1>");
    assertThat(text(wwz.entry(KEY, "_tmp/soil/extra/file-7.txt").orElseThrow()))
        .isEqualTo(random(7, 30));

    assertThat(store.heads.get()).isEqualTo(1);
    assertThat(store.rangedGets.get()).isEqualTo(4);
  }

  @Test
  void sendsADeflatedEntryAsGzipWithoutInflatingIt() throws IOException {
    ByteBuffer gzip = wwz.gzip(KEY, "_tmp/soil/logs/cpp.txt").orElseThrow();

    byte[] bytes = new byte[gzip.remaining()];
    gzip.get(bytes);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(log);
    }
    assertThat(bytes.length).isLessThan(log.length());
    assertThat(store.rangedGets.get()).isEqualTo(2);
    assertThat(wwz.gzip(KEY, "index.html")).isEmpty();
  }

  @Test
  void readsAZipReplacedInTheStoreAfresh() throws IOException {
    assertThat(text(wwz.entry(KEY, "index.html").orElseThrow())).isEqualTo("<h1>tasks</h1>");

    store.put(KEY, zip("new log\n", "<h1>again</h1>"), "application/zip");

    assertThat(text(wwz.entry(KEY, "index.html").orElseThrow())).isEqualTo("<h1>again</h1>");
    assertThat(text(wwz.entry(KEY, "_tmp/soil/logs/cpp.txt").orElseThrow())).isEqualTo("new log\n");
  }

  @Test
  void aMissingZipOrEntryIsEmpty() throws IOException {
    assertThat(wwz.entry("github-jobs/4101/none.wwz", "index.html")).isEmpty();
    assertThat(wwz.entry(KEY, "no/such.txt")).isEmpty();
    assertThat(wwz.entry(KEY, "_tmp/soil/logs/")).isEmpty();
  }
}
