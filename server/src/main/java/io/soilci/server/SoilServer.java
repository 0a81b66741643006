package io.soilci.server;

import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.WorkerStore;
import io.soilci.server.config.Limits;
import io.soilci.server.config.ServerConfig;
import io.soilci.server.http.Metrics;
import io.soilci.server.site.Site;
import io.soilci.server.site.SiteSettings;
import io.soilci.server.storage.AtomicFiles;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.UploadGate;
import io.soilci.server.wwz.WwzHandler;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;

/** A running server: the site opened from its files, the routes, Undertow listening. */
public final class SoilServer implements AutoCloseable {
  private final Undertow undertow;
  private final WwzHandler wwz;
  private final Site site;

  private SoilServer(Undertow undertow, WwzHandler wwz, Site site) {
    this.undertow = undertow;
    this.wwz = wwz;
    this.site = site;
  }

  /** The site settings a configuration gives. */
  static SiteSettings siteSettings(ServerConfig config) {
    return new SiteSettings(
        config.site(), config.keepRuns(), config.repositoryUrl(), config.hooks());
  }

  /** Opens the site and starts listening. */
  public static SoilServer start(ServerConfig config) throws IOException {
    Files.createDirectories(config.site());
    // A crash mid-write leaves temp files; none is ever served, and none should stay forever.
    AtomicFiles.sweep(config.site());
    Site site = Site.open(siteSettings(config));
    Metrics metrics = new Metrics();
    Limits limits = config.limits();
    WwzHandler wwz = new WwzHandler(config.site());
    Routes.Parts parts =
        new Routes.Parts(
            config,
            site,
            new ResultStore(config.site(), limits),
            new Authenticator(new WorkerStore(config.state())),
            new UploadGate(limits.maxUploadsInFlight(), metrics),
            wwz,
            metrics);
    long maxEntity = limits.maxRequestBytes() + limits.drainBytes() + (1 << 20);
    Undertow undertow =
        Undertow.builder()
            .addHttpListener(config.listen().port(), config.listen().host())
            .setWorkerThreads(Math.max(16, limits.maxUploadsInFlight() + 8))
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntity)
            .setServerOption(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE, maxEntity)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes())
            .setHandler(Routes.handler(parts))
            .build();
    undertow.start();
    return new SoilServer(undertow, wwz, site);
  }

  /** The port listened on (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Override
  public void close() {
    undertow.stop();
    wwz.close();
    site.close();
  }
}
