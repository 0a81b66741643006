package io.soilci.worker.workspace;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 with its own host key, accepting one client key: git over
 * ssh:// against it runs the real git-upload-pack.
 */
final class SshServer implements AutoCloseable {
  private final Process sshd;
  private final int port;
  private final Path clientKey;
  private final Path knownHosts;

  private SshServer(Process sshd, int port, Path clientKey, Path knownHosts) {
    this.sshd = sshd;
    this.port = port;
    this.clientKey = clientKey;
    this.knownHosts = knownHosts;
  }

  static SshServer start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.createDirectories(Path.of("/run/sshd"));
    keygen(dir.resolve("host_key"));
    keygen(dir.resolve("client_key"));
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    int port = freePort();
    Files.writeString(
        dir.resolve("sshd_config"),
        String.join(
            "\n",
            "Port " + port,
            "ListenAddress 127.0.0.1",
            "HostKey " + dir.resolve("host_key"),
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "PidFile " + dir.resolve("sshd.pid"),
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "PermitRootLogin prohibit-password",
            ""));
    Path knownHosts = dir.resolve("known_hosts");
    Files.writeString(
        knownHosts, "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")));
    Process sshd =
        new ProcessBuilder(
                "/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    SshServer server = new SshServer(sshd, port, dir.resolve("client_key"), knownHosts);
    server.awaitListening();
    return server;
  }

  String url(Path bareRepository) {
    return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bareRepository;
  }

  Path clientKey() {
    return clientKey;
  }

  Path knownHosts() {
    return knownHosts;
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && sshd.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IOException("sshd did not listen on port " + port);
  }

  private static void keygen(Path key) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()))
            .redirectErrorStream(true)
            .start();
    process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("ssh-keygen failed for " + key);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    sshd.destroy();
    try {
      if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
        sshd.destroyForcibly();
      }
    } catch (InterruptedException e) {
      sshd.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
