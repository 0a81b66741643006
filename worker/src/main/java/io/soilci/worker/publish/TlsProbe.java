package io.soilci.worker.publish;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** Whether a server that gave a plain HTTP request no answer speaks TLS on that port instead. */
final class TlsProbe {
  private static final int TIMEOUT_MILLIS = 3000;

  private TlsProbe() {}

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
