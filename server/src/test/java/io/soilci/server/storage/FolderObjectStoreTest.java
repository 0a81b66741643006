package io.soilci.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderObjectStoreTest extends ObjectStoreContract {
  @TempDir Path root;
  private FolderObjectStore store;

  @BeforeEach
  void open() {
    store = new FolderObjectStore(root.resolve("objects"));
  }

  @Override
  ObjectStore store() {
    return store;
  }

  @Override
  void seed(String key, byte[] bytes) throws IOException {
    Path file = store.root().resolve(key);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  @Test
  void keepsAKeyAtItsPathUnderTheRoot() throws IOException {
    store.put("github-jobs/4101/cpp.json", new byte[] {1, 2}, "application/json");

    assertThat(root.resolve("objects/github-jobs/4101/cpp.json"))
        .hasBinaryContent(new byte[] {1, 2});
  }

  @Test
  void neverListsTempFilesOrFolders() throws IOException {
    seed("github-jobs/4101/cpp.json", new byte[] {1});
    seed("github-jobs/4101/.tmp-123-cpp.wwz", new byte[] {1});

    assertThat(store.list("github-jobs/"))
        .extracting(StoredObject::key)
        .containsExactly("github-jobs/4101/cpp.json");
  }
}
