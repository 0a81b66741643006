package io.soilci.worker.run;

import io.soilci.result.WwzPath;
import java.nio.file.Path;

/** A file to put in the wwz under {@code name} (a checked {@link WwzPath}). */
record WwzEntry(String name, Path file) {
  WwzEntry {
    WwzPath.require("wwz entry", name);
  }
}
