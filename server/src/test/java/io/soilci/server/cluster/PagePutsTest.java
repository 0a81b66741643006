package io.soilci.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.soilci.server.storage.FolderObjectStore;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.testing.PagesRefused;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PagePuts} into a real folder store: the bucket ends with each page's latest bytes. */
class PagePutsTest {
  private static final String PAGE = "github-jobs/4101/index.html";

  @TempDir Path dir;

  /** What the listener heard: "put PATH TICKET BYTES" or "dropped PATH TICKET". */
  private final List<String> heard = new CopyOnWriteArrayList<>();

  private final PagePuts.Listener listener =
      new PagePuts.Listener() {
        @Override
        public void put(String path, byte @Nullable [] bytes, long ticket) {
          heard.add(
              "put "
                  + path
                  + " "
                  + ticket
                  + " "
                  + (bytes == null ? "-" : new String(bytes, StandardCharsets.UTF_8)));
        }

        @Override
        public void dropped(String path, long ticket) {
          heard.add("dropped " + path + " " + ticket);
        }
      };

  private Path write(Path site, String text) throws IOException {
    Path file = site.resolve(PAGE);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  private static String stored(ObjectStore bucket) throws IOException {
    try (InputStream in = bucket.open(PAGE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * A page written again while its put is under way is put again after it, never before: the bucket
   * ends with the later bytes, and the listener hears once, of the later want.
   */
  @Test
  void aPageWrittenAgainWhileItsPutIsUnderWayIsPutAgainAfterIt() throws Exception {
    Path site = dir.resolve("site");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ObjectStore folder = new FolderObjectStore(dir.resolve("bucket"));
        ObjectStore bucket =
            new PagesRefused(
                folder,
                () -> {
                  entered.countDown();
                  try {
                    return !release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                  }
                });
        PagePuts puts = new PagePuts(bucket, site, path -> true, listener)) {
      write(site, "one");
      long first = puts.want(PAGE);
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("the first put under way").isTrue();

      write(site, "two");
      long second = puts.want(PAGE);
      release.countDown();

      assertThat(puts.awaitIdle(30_000)).isTrue();
      assertThat(second).isGreaterThan(first);
      assertThat(stored(folder)).isEqualTo("two");
      assertThat(heard)
          .containsExactly(
              "put " + PAGE + " " + first + " one", "put " + PAGE + " " + second + " two");
    }
  }

  /** A put the bucket refuses is tried again until it goes through; a page deleted is deleted. */
  @Test
  void aRefusedPutIsTriedAgainUntilItGoesThroughAndADeletedPageLeavesTheBucket() throws Exception {
    Path site = dir.resolve("site");
    AtomicBoolean refusing = new AtomicBoolean(true);
    try (ObjectStore folder = new FolderObjectStore(dir.resolve("bucket"));
        PagePuts puts =
            new PagePuts(new PagesRefused(folder, refusing::get), site, path -> true, listener)) {
      Path file = write(site, "refused first");
      long ticket = puts.want(PAGE);
      assertThat(puts.awaitIdle(1_200)).as("put while the bucket refuses it").isFalse();

      refusing.set(false);
      assertThat(puts.awaitIdle(30_000)).isTrue();
      assertThat(stored(folder)).isEqualTo("refused first");

      Files.delete(file);
      long deleted = puts.want(PAGE);
      assertThat(puts.awaitIdle(30_000)).isTrue();
      assertThat(folder.head(PAGE)).isEmpty();
      assertThat(heard)
          .containsExactly(
              "put " + PAGE + " " + ticket + " refused first",
              "put " + PAGE + " " + deleted + " -");
    }
  }

  /**
   * The put of a page whose role is no longer mirrored here is given up (the role's next taker puts
   * what the bucket lacks), also one the bucket kept refusing.
   */
  @Test
  void aPutOfARoleGivenUpIsDropped() throws Exception {
    Path site = dir.resolve("site");
    AtomicBoolean mirrored = new AtomicBoolean(true);
    try (ObjectStore folder = new FolderObjectStore(dir.resolve("bucket"));
        PagePuts puts =
            new PagePuts(
                new PagesRefused(folder, () -> true), site, path -> mirrored.get(), listener)) {
      write(site, "never put");
      long ticket = puts.want(PAGE);
      assertThat(puts.awaitIdle(700)).isFalse();

      mirrored.set(false);

      assertThat(puts.awaitIdle(30_000)).isTrue();
      assertThat(folder.head(PAGE)).isEmpty();
      assertThat(heard).containsExactly("dropped " + PAGE + " " + ticket);
    }
  }
}
