package io.soilci.worker.publish;

import io.soilci.result.BadInput;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --ssh USER@HOST:SITE}: who to log in as, where, and the server's site folder there. */
record SshTarget(String user, String host, int port, String site) {
  private static final Pattern FORM =
      Pattern.compile("([A-Za-z0-9._-]+)@([A-Za-z0-9.:_\\[\\]-]+?):(/[A-Za-z0-9._/-]+)");

  public SshTarget {
    if (port < 1 || port > 65535) {
      throw new BadInput("--ssh-port " + port + " must be 1-65535");
    }
  }

  /** Parses {@code USER@HOST:/ABSOLUTE/SITE}. */
  public static SshTarget parse(String value, int port) {
    Matcher m = FORM.matcher(value);
    if (!m.matches()) {
      throw new BadInput(
          "--ssh '"
              + value
              + "' must be USER@HOST:/absolute/site/folder, e.g. soil@soil.example.org:/srv/soil/site"
              + " (letters, digits, '.', '_', '-', '/' only)");
    }
    return new SshTarget(m.group(1), m.group(2), port, m.group(3));
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + ":" + site;
  }
}
