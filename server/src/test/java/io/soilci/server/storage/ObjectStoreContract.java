package io.soilci.server.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ObjectStore} must do, run against each implementation by a subclass: the folder
 * in a unit test, a real S3 server in an IT.
 */
abstract class ObjectStoreContract {
  @TempDir Path scratch;

  /** The store under test, empty, the same instance for the whole test. */
  abstract ObjectStore store();

  /** Puts an object the fastest way the store allows (many objects, for the paging test). */
  void seed(String key, byte[] bytes) throws IOException {
    store().put(key, bytes, "text/plain");
  }

  @Test
  void readsBackWhatWasPut() throws IOException {
    store().put("github-jobs/4101/cpp.json", "{\"a\":1}".getBytes(UTF_8), "application/json");

    try (InputStream in = store().open("github-jobs/4101/cpp.json")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("{\"a\":1}");
    }
    assertThat(store().head("github-jobs/4101/cpp.json"))
        .hasValueSatisfying(
            o -> {
              assertThat(o.key()).isEqualTo("github-jobs/4101/cpp.json");
              assertThat(o.length()).isEqualTo(7);
            });
  }

  @Test
  void putsAFileAndDownloadsItAtomically() throws IOException {
    byte[] bytes = new byte[300_000];
    Arrays.fill(bytes, (byte) 'z');
    Path file = Files.write(scratch.resolve("cpp.wwz"), bytes);

    store().put("github-jobs/4101/cpp.wwz", file, "application/zip");
    Path target = scratch.resolve("site/github-jobs/4101/cpp.wwz");
    store().download("github-jobs/4101/cpp.wwz", target);

    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    assertThat(store().head("github-jobs/4101/cpp.wwz").orElseThrow().length()).isEqualTo(300_000);
  }

  @Test
  void replacingChangesTheBytesAndTheEtag() throws IOException {
    store().put("index.html", "old".getBytes(UTF_8), "text/html");
    String before = store().head("index.html").orElseThrow().etag();

    store().put("index.html", "newer".getBytes(UTF_8), "text/html");

    assertThat(store().head("index.html").orElseThrow().etag()).isNotEqualTo(before);
    assertThat(store().read("index.html", 0, 100)).isEqualTo("newer".getBytes(UTF_8));
  }

  @Test
  void aReaderSeesTheOldObjectOrTheNewNeverAPart() throws Exception {
    byte[] a = new byte[1 << 20];
    byte[] b = new byte[1 << 20];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    store().put("github-jobs/index.html", a, "text/html");
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes =
          writer.submit(
              () -> {
                for (int i = 0; i < 20; i++) {
                  store().put("github-jobs/index.html", i % 2 == 0 ? b : a, "text/html");
                }
                return null;
              });
      List<byte[]> seen = new ArrayList<>();
      while (!writes.isDone()) {
        try (InputStream in = store().open("github-jobs/index.html")) {
          seen.add(in.readAllBytes());
        }
      }
      writes.get();

      assertThat(seen)
          .allSatisfy(
              bytes ->
                  assertThat(bytes)
                      .satisfiesAnyOf(
                          x -> assertThat(x).isEqualTo(a), x -> assertThat(x).isEqualTo(b)));
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  void listsWhileObjectsAreBeingPut() throws Exception {
    byte[] a = new byte[64 << 10];
    byte[] b = new byte[64 << 10];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      // New objects, and one object replaced again and again: a listing may catch either being
      // written, and must still name each object with what tells its bytes.
      Future<?> writes =
          writer.submit(
              () -> {
                for (int i = 0; i < 200; i++) {
                  store().put("github-jobs/" + i + "/index.html", i % 2 == 0 ? a : b, "text/html");
                  store().put("github-jobs/index.html", i % 2 == 0 ? a : b, "text/html");
                }
                return null;
              });
      int listings = 0;
      while (!writes.isDone() || listings == 0) {
        for (StoredObject object : store().list("github-jobs/")) {
          String[] segments = object.key().split("/");
          if (segments.length == 3) {
            byte[] put = Integer.parseInt(segments[1]) % 2 == 0 ? a : b;
            assertThat(store().hasMd5(object, Md5.of(put)))
                .as("%s is listed with the MD5 of what was put", object)
                .isTrue();
          }
        }
        listings++;
      }
      writes.get();
      assertThat(store().list("github-jobs/")).hasSize(201);
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  void readsARange() throws IOException {
    store().put("github-jobs/4101/cpp.tsv", "0123456789".getBytes(UTF_8), "text/plain");

    assertThat(store().read("github-jobs/4101/cpp.tsv", 3, 4)).isEqualTo("3456".getBytes(UTF_8));
    assertThat(store().read("github-jobs/4101/cpp.tsv", 7, 100)).isEqualTo("789".getBytes(UTF_8));
    assertThat(store().read("github-jobs/4101/cpp.tsv", 10, 5)).isEmpty();
    assertThat(store().read("github-jobs/4101/cpp.tsv", 99, 5)).isEmpty();
    assertThat(store().read("github-jobs/4101/cpp.tsv", 2, 0)).isEmpty();
    assertThatThrownBy(() -> store().read("github-jobs/4101/cpp.tsv", -1, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMissingObjectIsAbsentAndNoSuchFile() throws IOException {
    store().put("github-jobs/4101/cpp.json", new byte[] {1}, "application/json");

    assertThat(store().head("github-jobs/4101/nope.json")).isEmpty();
    assertThat(store().head("github-jobs/4101")).isEmpty();
    assertThatThrownBy(() -> store().open("github-jobs/4101/nope.json"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store().read("github-jobs/4101/nope.json", 0, 10))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store().download("nope.json", scratch.resolve("nope.json")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(scratch.resolve("nope.json")).doesNotExist();
    store().delete("github-jobs/4101/nope.json");
  }

  @Test
  void listsInKeyOrderUnderAPrefix() throws IOException {
    for (String key :
        List.of(
            "github-jobs/4101/cpp.wwz",
            "github-jobs/4101/asan.json",
            "github-jobs/4102/x.json",
            "github-jobs/index.html",
            "sourcehut-jobs/1/a.json",
            "index.html")) {
      store().put(key, key.getBytes(UTF_8), "text/plain");
    }

    assertThat(keys("github-jobs/4101/"))
        .containsExactly("github-jobs/4101/asan.json", "github-jobs/4101/cpp.wwz");
    assertThat(keys("github-jobs/410"))
        .containsExactly(
            "github-jobs/4101/asan.json", "github-jobs/4101/cpp.wwz", "github-jobs/4102/x.json");
    assertThat(keys(""))
        .containsExactly(
            "github-jobs/4101/asan.json",
            "github-jobs/4101/cpp.wwz",
            "github-jobs/4102/x.json",
            "github-jobs/index.html",
            "index.html",
            "sourcehut-jobs/1/a.json");
    assertThat(keys("none/")).isEmpty();
    assertThat(store().list("index.html"))
        .singleElement()
        .satisfies(o -> assertThat(o.length()).isEqualTo(10));
  }

  @Test
  void listsEveryPageOfMoreThanAThousandKeys() throws IOException {
    for (int i = 0; i < 1005; i++) {
      seed(String.format("github-jobs/7/job-%04d.json", i), new byte[] {(byte) i});
    }

    List<String> keys = keys("github-jobs/7/");

    assertThat(keys).hasSize(1005).isSorted();
    assertThat(keys.get(1004)).isEqualTo("github-jobs/7/job-1004.json");
  }

  @Test
  void tellsFromAListingWhetherAnObjectHasTheMd5OfBytes() throws IOException {
    store().put("github-jobs/index.html", "<p>a</p>".getBytes(UTF_8), "text/html; charset=utf-8");
    StoredObject listed = store().list("github-jobs/").get(0);

    assertThat(store().hasMd5(listed, Md5.of("<p>a</p>".getBytes(UTF_8)))).isTrue();
    assertThat(store().hasMd5(listed, Md5.of("<p>b</p>".getBytes(UTF_8)))).isFalse();
    store().put("github-jobs/index.html", "<p>b</p>".getBytes(UTF_8), "text/html; charset=utf-8");
    StoredObject replaced = store().head("github-jobs/index.html").orElseThrow();
    assertThat(store().hasMd5(replaced, Md5.of("<p>b</p>".getBytes(UTF_8)))).isTrue();
  }

  @Test
  void deletesAnObject() throws IOException {
    store().put("github-jobs/4101/cpp.json", new byte[] {1}, "application/json");

    store().delete("github-jobs/4101/cpp.json");

    assertThat(store().head("github-jobs/4101/cpp.json")).isEmpty();
    assertThat(keys("")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/etc/passwd",
        "../x",
        "a/../b",
        "a//b",
        "a/./b",
        "a/b/",
        ".tmp-1-x.json",
        "a\\b",
        "a b",
        "caf\u00e9"
      })
  void rejectsABadKeyBeforeTouchingAnything(String key) {
    assertThatThrownBy(() -> store().put(key, new byte[] {1}, "text/plain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("object key '");
    assertThatThrownBy(() -> store().head(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store().open(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store().delete(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store().read(key, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsABadPrefix() {
    assertThatThrownBy(() -> store().list("../"))
        .hasMessage("object prefix '../' must not hold a '.' or '..' segment");
    assertThatThrownBy(() -> store().list("/a"))
        .hasMessage("object prefix '/a' must not start with '/' or hold an empty segment ('//')");
  }

  private List<String> keys(String prefix) throws IOException {
    return store().list(prefix).stream().map(StoredObject::key).toList();
  }
}
