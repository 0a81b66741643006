package io.soilci.server.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The safety net under every long-running process a test starts (servers, nats-server, s3proxy,
 * nginx, Chromium): each is killed, with its descendants, when the test JVM exits, so a test that
 * fails before its own cleanup leaves nothing running on the machine. A test still stops its
 * processes itself; this only catches what it could not (an exception in a constructor, a JVM
 * stopped by the build's timeout with SIGTERM). A JVM killed with SIGKILL runs no hook.
 */
public final class TestProcesses {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TestProcesses::killAll, "kill-test-processes"));
  }

  private TestProcesses() {}

  /** Returns {@code process}, to be killed at the JVM's exit if it is still running then. */
  public static Process track(Process process) {
    RUNNING.add(process);
    var unused = process.onExit().thenRun(() -> RUNNING.remove(process));
    return process;
  }

  private static void killAll() {
    for (Process process : RUNNING) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
