package io.soilci.server;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's setting of the libraries' logs: XNIO, Undertow and JBoss Threads log through
 * java.util.logging (jboss-logging finds no other backend), whose console handler would print their
 * version banners at each start and stop on stderr. Their WARNING and above still print.
 */
final class LibraryLogs {
  private static final List<String> QUIET = List.of("org.xnio", "io.undertow", "org.jboss");

  /**
   * The loggers set, held here: java.util.logging keeps loggers weakly, and a logger collected
   * would lose its level before the libraries make theirs below it. Guarded by the class.
   */
  private static final List<Logger> held = new ArrayList<>();

  private LibraryLogs() {}

  /** Sets the libraries' loggers to WARNING, before they log (later calls change nothing). */
  static synchronized void quiet() {
    if (!held.isEmpty()) {
      return;
    }
    for (String name : QUIET) {
      Logger logger = Logger.getLogger(name);
      logger.setLevel(Level.WARNING);
      held.add(logger);
    }
  }
}
