package io.soilci.server.logview;

import java.io.IOException;
import java.io.InputStream;

/** A log's bytes, opened afresh for each read (e.g. an entry of a zip, inflated). */
@FunctionalInterface
public interface LogSource {
  InputStream open() throws IOException;
}
