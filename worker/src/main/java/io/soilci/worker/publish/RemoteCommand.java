package io.soilci.worker.publish;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.soilci.worker.WorkerFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** One command run over an SSH session, its output kept for the error message. */
final class RemoteCommand {
  private static final int MAX_OUTPUT = 64 * 1024;

  private final Session session;
  private final SshTarget target;

  RemoteCommand(Session session, SshTarget target) {
    this.session = session;
    this.target = target;
  }

  /** Runs {@code command}; a non-zero exit fails with the last line it printed. */
  void run(String command) {
    ChannelExec exec = null;
    try {
      exec = (ChannelExec) session.openChannel("exec");
      exec.setCommand(command);
      exec.setInputStream(null);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      exec.setErrStream(err);
      InputStream out = exec.getInputStream();
      exec.connect();
      String stdout = readBounded(out);
      int status = waitForExit(exec);
      if (status != 0) {
        String output = (err.toString(StandardCharsets.UTF_8) + "\n" + stdout).strip();
        throw new WorkerFailure(
            "ingest on "
                + target.host()
                + " exited "
                + status
                + ": "
                + lastLine(output)
                + " (command: "
                + command
                + "; set it with --ingest-command)");
      }
    } catch (JSchException | IOException e) {
      throw new WorkerFailure("ingest on " + target.host() + " failed: " + e.getMessage(), e);
    } finally {
      if (exec != null) {
        exec.disconnect();
      }
    }
  }

  private static String readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      if (out.size() < MAX_OUTPUT) {
        out.write(buffer, 0, n);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int waitForExit(ChannelExec exec) {
    for (int i = 0; i < 600 && !exec.isClosed(); i++) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WorkerFailure("interrupted while waiting for the ingest command", e);
      }
    }
    return exec.getExitStatus();
  }

  private static String lastLine(String output) {
    int newline = output.lastIndexOf('\n');
    return output.isEmpty() ? "(no output)" : output.substring(newline + 1);
  }
}
