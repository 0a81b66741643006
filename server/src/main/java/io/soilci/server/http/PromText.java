package io.soilci.server.http;

/** Prometheus' text exposition format (version 0.0.4), written one metric family at a time. */
public final class PromText {
  private final StringBuilder out = new StringBuilder();

  /** Starts a family: its {@code # HELP} and {@code # TYPE} lines. */
  public PromText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample; {@code labels} as {@link #label} makes them, comma-separated, or empty. */
  public PromText sample(String name, String labels, long value) {
    return sample(name, labels, Long.toString(value));
  }

  /** One sample of a value that may have a fraction, e.g. seconds. */
  public PromText sample(String name, String labels, double value) {
    return sample(name, labels, Double.toString(value));
  }

  private PromText sample(String name, String labels, String value) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(value).append('\n');
    return this;
  }

  /** {@code key="value"}, the value escaped as the format says. */
  public static String label(String key, String value) {
    return key
        + "=\""
        + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
        + "\"";
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
