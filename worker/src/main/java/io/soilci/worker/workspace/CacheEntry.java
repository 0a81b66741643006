package io.soilci.worker.workspace;

import java.nio.file.Path;

/**
 * The files of one cached workspace under the cache root, in a folder named {@code
 * NAME-PROVIDER-KEY}: {@code lock} (held while the entry changes), {@code prepared/} (the prepared
 * state), {@code prepared.json}, {@code building/} (a prepare in progress) and {@code instances/N/}
 * with {@code N.lock} and {@code N.json}, one per job that runs at the same time.
 */
record CacheEntry(Path dir) {
  Path lock() {
    return dir.resolve("lock");
  }

  Path prepared() {
    return dir.resolve("prepared");
  }

  Path state() {
    return dir.resolve("prepared.json");
  }

  Path building() {
    return dir.resolve("building");
  }

  Path instance(int slot) {
    return dir.resolve("instances").resolve(Integer.toString(slot));
  }

  Path instanceLock(int slot) {
    return dir.resolve("instances").resolve(slot + ".lock");
  }

  /** The prepared folder's manifest as the instance's last sync saw it. */
  Path instanceSource(int slot) {
    return dir.resolve("instances").resolve(slot + ".source");
  }

  /** The instance's manifest right after its last sync. */
  Path instanceTarget(int slot) {
    return dir.resolve("instances").resolve(slot + ".target");
  }

  Path instanceState(int slot) {
    return dir.resolve("instances").resolve(slot + ".json");
  }
}
