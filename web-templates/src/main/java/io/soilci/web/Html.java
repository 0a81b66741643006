package io.soilci.web;

/** HTML text: {@code & < > " '} as entities, as the templates' autoescaping writes them. */
public final class Html {
  private Html() {}

  /** {@code text} with {@code & < > " '} as entities. */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    escape(text, 0, text.length(), out);
    return out.toString();
  }

  /** Appends {@code text[from, to)} to {@code out}, {@code & < > " '} as entities. */
  public static void escape(CharSequence text, int from, int to, StringBuilder out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
  }
}
