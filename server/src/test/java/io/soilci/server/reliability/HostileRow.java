package io.soilci.server.reliability;

import java.io.IOException;

/** One hostile request and the exact answer it must get. */
record HostileRow(String name, HostileRow.Send send, int status, String message) {
  /** Sends the request to the target. */
  interface Send {
    Wire.Answer to(Target target) throws IOException;
  }

  static HostileRow row(String name, Send send, int status, String message) {
    return new HostileRow(name, send, status, message.isEmpty() ? "" : message + "\n");
  }

  @Override
  public String toString() {
    return name;
  }
}
