package io.soilci.server;

/** {@code soil-server}: runs the command the arguments name and exits with its status. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("serve")) {
      Preload.start();
    }
    System.exit(ServerCommand.commandLine(args).execute(args));
  }
}
