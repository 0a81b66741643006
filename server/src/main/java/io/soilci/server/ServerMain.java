package io.soilci.server;

/** {@code soil-server}: SKELETON, the server work replaces this with its CLI. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) {
    System.out.println("usage: soil-server serve|add-worker|regen (not built yet)");
  }
}
