package io.soilci.server;

/** {@code soil-server}: runs the command the arguments name and exits with its status. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) {
    System.exit(ServerCommand.commandLine().execute(args));
  }
}
