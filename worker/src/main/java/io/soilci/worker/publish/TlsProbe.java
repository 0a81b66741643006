package io.soilci.worker.publish;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * What a request that got no answer can still learn of the server's port: whether it speaks TLS (a
 * plain HTTP request got nothing back), whether it takes connections at all (an https handshake
 * never came back).
 */
final class TlsProbe {
  private static final int TIMEOUT_MILLIS = 3000;

  private TlsProbe() {}

  /** True when {@code server}'s host and port take a TCP connection within a few seconds. */
  static boolean acceptsConnections(URI server) {
    int port = server.getPort() < 0 ? 443 : server.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.getHost(), port), TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * True when {@code server}'s host and port answer a TLS handshake: it completes, or fails only on
   * the certificate (which needs a TLS server to have sent one).
   */
  static boolean answersHandshake(URI server) {
    int port = server.getPort() < 0 ? 80 : server.getPort();
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(server.getHost(), port), TIMEOUT_MILLIS);
      plain.setSoTimeout(TIMEOUT_MILLIS);
      try (SSLSocket tls =
          (SSLSocket)
              ((SSLSocketFactory) SSLSocketFactory.getDefault())
                  .createSocket(plain, server.getHost(), port, false)) {
        tls.startHandshake();
        return true;
      }
    } catch (SSLHandshakeException e) {
      return e.getCause() instanceof CertificateException;
    } catch (IOException e) {
      return false;
    }
  }
}
