package io.soilci.server;

import io.soilci.server.config.Listen;
import io.soilci.server.config.ServerConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: runs the server until it is stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve the site and receive uploads and events until stopped (SIGTERM).")
final class ServeCommand implements Callable<Integer> {
  @Mixin SiteOptions options = new SiteOptions();

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Address to listen on. Default: 127.0.0.1:8080 (or the config's).")
  @Nullable String listen;

  @Option(names = "--init", description = "Create the site folder when it does not exist.")
  boolean init;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = options.existingSite(init);
    if (listen != null) {
      config = config.withListen(Listen.parse("--listen", listen));
    }
    SoilServer server = SoilServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    spec.commandLine()
        .getErr()
        .println(
            "soil-server: serving "
                + config.site()
                + " on "
                + config.listen().host()
                + ":"
                + server.port());
    stopped.await();
    return 0;
  }
}
