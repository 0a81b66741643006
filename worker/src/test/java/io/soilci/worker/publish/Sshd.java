package io.soilci.worker.publish;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real OpenSSH server on 127.0.0.1 with its own config, host key and authorized key. */
public final class Sshd implements AutoCloseable {
  public final Path dir;
  public final int port;
  public final Path clientKey;
  public final Path knownHosts;
  private final Process process;

  public Sshd(Path dir) throws IOException, InterruptedException {
    this.dir = dir;
    this.port = freePort();
    Path hostKey = keygen(dir.resolve("host_ed25519"));
    this.clientKey = keygen(dir.resolve("client_ed25519"));
    Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
    this.knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_ed25519.pub")));
    Path config = dir.resolve("sshd_config");
    Files.write(
        config,
        List.of(
            "Port " + port,
            "ListenAddress 127.0.0.1",
            "HostKey " + hostKey,
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "PidFile " + dir.resolve("sshd.pid"),
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "PermitRootLogin prohibit-password",
            "Subsystem sftp internal-sftp"));
    Files.createDirectories(Path.of("/run/sshd"));
    process =
        new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    awaitListening();
  }

  public static Path keygen(Path key) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "ssh-keygen failed: "
              + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    return key;
  }

  private void awaitListening() throws IOException, InterruptedException {
    for (int i = 0; i < 100; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          break;
        }
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException(
        "sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
