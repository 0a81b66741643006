package io.soilci.worker.publish;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.worker.WorkerFailure;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Publishes over SSH for servers without the HTTP API: each file goes by SFTP to a temp name in the
 * run's folder, then all are renamed into place (the JSON last), then the server's {@code ingest}
 * command runs over SSH so the pages come out as they would over HTTP. Host keys are checked
 * against {@code known_hosts}; keys come from a file or the SSH agent.
 */
final class SshPublisher {
  private static final int CONNECT_TIMEOUT_MS = 15_000;

  private final SshTarget target;
  private final SshKeys keys;
  private final String ingestCommand;

  public SshPublisher(SshTarget target, SshKeys keys, String ingestCommand) {
    this.target = target;
    this.keys = keys;
    this.ingestCommand = ingestCommand;
  }

  /**
   * Uploads and ingests the job; with {@code status} given, then writes its status API file as the
   * server would (Soil's own SSH publishing copied it the same way).
   */
  public void publish(JobRef job, JobFiles files, @Nullable StatusApiLine status) {
    files.requireAll();
    Session session = connect();
    try {
      upload(session, job, files);
      new RemoteCommand(session, target).run(ingestLine(job));
      if (status != null) {
        writeStatus(session, job, status);
      }
    } finally {
      session.disconnect();
    }
  }

  /** What goes into the job's status API file ({@link SiteLayout#statusFile}). */
  public record StatusApiLine(String statusRunId, int status) {
    String path(JobRef job) {
      return SiteLayout.statusFile(job.host(), statusRunId, job.job());
    }

    String line(Instant now) {
      return SiteLayout.statusLine(status, now);
    }
  }

  private void writeStatus(Session session, JobRef job, StatusApiLine status) {
    String path = target.site() + "/" + status.path(job);
    String dir = path.substring(0, path.lastIndexOf('/'));
    ChannelSftp sftp = null;
    try {
      sftp = (ChannelSftp) session.openChannel("sftp");
      sftp.connect(CONNECT_TIMEOUT_MS);
      makeDirs(sftp, dir);
      String temp =
          dir
              + "/"
              + SiteLayout.TEMP_PREFIX
              + UUID.randomUUID().toString().substring(0, 8)
              + "-status";
      byte[] line = status.line(Instant.now()).getBytes(StandardCharsets.UTF_8);
      sftp.put(new ByteArrayInputStream(line), temp);
      replace(sftp, temp, path);
    } catch (JSchException | SftpException e) {
      throw new WorkerFailure(
          "writing " + path + " on " + target.host() + " failed: " + e.getMessage(), e);
    } finally {
      if (sftp != null) {
        sftp.disconnect();
      }
    }
  }

  /** The ingest command with its arguments, quoted for the remote shell. */
  String ingestLine(JobRef job) {
    return ingestCommand + " --site '" + target.site() + "' '" + job + "'";
  }

  private Session connect() {
    try {
      JSch jsch = new JSch();
      keys.applyTo(jsch);
      Session session = jsch.getSession(target.user(), target.host(), target.port());
      session.setConfig("StrictHostKeyChecking", "yes");
      session.connect(CONNECT_TIMEOUT_MS);
      return session;
    } catch (JSchException e) {
      throw new WorkerFailure(
          "cannot log in to "
              + target.user()
              + "@"
              + target.host()
              + " port "
              + target.port()
              + ": "
              + e.getMessage()
              + "; "
              + keys.hint(),
          e);
    }
  }

  private void upload(Session session, JobRef job, JobFiles files) {
    String runDir = target.site() + "/" + job.runDir();
    String what = "sftp to " + target.host() + ":" + runDir;
    ChannelSftp sftp = null;
    try {
      sftp = (ChannelSftp) session.openChannel("sftp");
      sftp.connect(CONNECT_TIMEOUT_MS);
      makeDirs(sftp, runDir);
      List<String> temps = new ArrayList<>();
      String tag = UUID.randomUUID().toString().substring(0, 8);
      for (JobFile kind : JobFile.values()) {
        String temp = runDir + "/" + SiteLayout.TEMP_PREFIX + tag + "-" + kind.fileName(job.job());
        sftp.put(files.file(kind).toString(), temp);
        temps.add(temp);
      }
      JobFile[] kinds = JobFile.values();
      for (int i = 0; i < temps.size(); i++) {
        replace(sftp, temps.get(i), target.site() + "/" + job.file(kinds[i]));
      }
    } catch (JSchException | SftpException e) {
      throw new WorkerFailure(what + " failed: " + e.getMessage(), e);
    } finally {
      if (sftp != null) {
        sftp.disconnect();
      }
    }
  }

  /** Renames over an existing file: OpenSSH's posix-rename when offered, else remove first. */
  private static void replace(ChannelSftp sftp, String temp, String target) throws SftpException {
    try {
      sftp.rename(temp, target);
    } catch (SftpException e) {
      if (e.id != ChannelSftp.SSH_FX_FAILURE) {
        throw e;
      }
      sftp.rm(target);
      sftp.rename(temp, target);
    }
  }

  private static void makeDirs(ChannelSftp sftp, String dir) throws SftpException {
    StringBuilder path = new StringBuilder();
    for (String part : java.util.List.of(dir.split("/", -1))) {
      if (part.isEmpty()) {
        continue;
      }
      path.append('/').append(part);
      try {
        sftp.stat(path.toString());
      } catch (SftpException e) {
        sftp.mkdir(path.toString());
      }
    }
  }

  /** Where SSH keys come from: a private key file, else the agent at {@code SSH_AUTH_SOCK}. */
  public record SshKeys(@Nullable Path identity, Path knownHosts) {
    void applyTo(JSch jsch) throws JSchException {
      if (!Files.isRegularFile(knownHosts)) {
        throw new WorkerFailure(
            "known_hosts file "
                + knownHosts
                + " does not exist; add the server's host key (ssh-keyscan HOST >> FILE) or pass"
                + " --known-hosts FILE");
      }
      jsch.setKnownHosts(knownHosts.toString());
      if (identity != null) {
        jsch.addIdentity(identity.toString());
        return;
      }
      try {
        jsch.setIdentityRepository(new AgentIdentityRepository(new SSHAgentConnector()));
      } catch (AgentProxyException e) {
        throw new WorkerFailure(
            "no SSH key: pass --ssh-key FILE or start an ssh-agent (SSH_AUTH_SOCK): "
                + e.getMessage(),
            e);
      }
    }

    String hint() {
      return "check the host key in "
          + knownHosts
          + " and the key "
          + (identity == null ? "in the ssh-agent" : identity.toString());
    }
  }
}
