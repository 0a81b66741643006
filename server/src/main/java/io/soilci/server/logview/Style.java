package io.soilci.server.logview;

/**
 * The text attributes an ANSI SGR sequence sets: colours (16, 256 or 24-bit) and bold, dim, italic,
 * underline, strike. Mutable: one per line being converted, carried to the next line.
 */
final class Style {
  static final int DEFAULT = -1;
  private static final int RGB = 1 << 24;
  private static final int BOLD = 1;
  private static final int DIM = 2;
  private static final int ITALIC = 4;
  private static final int UNDERLINE = 8;
  private static final int STRIKE = 16;

  private int fg = DEFAULT;
  private int bg = DEFAULT;
  private int flags;

  boolean isPlain() {
    return fg == DEFAULT && bg == DEFAULT && flags == 0;
  }

  boolean sameAs(Style other) {
    return fg == other.fg && bg == other.bg && flags == other.flags;
  }

  Style copy() {
    Style s = new Style();
    s.fg = fg;
    s.bg = bg;
    s.flags = flags;
    return s;
  }

  void reset() {
    fg = DEFAULT;
    bg = DEFAULT;
    flags = 0;
  }

  /**
   * Applies the parameters of one {@code ESC [ … m}: numbers separated by ';' (or ':' inside the
   * extended colours 38/48); an empty list is a reset, unknown codes are ignored.
   */
  void apply(String params) {
    if (params.isEmpty()) {
      reset();
      return;
    }
    String[] codes = params.split(";", -1);
    for (int i = 0; i < codes.length; i++) {
      if (codes[i].indexOf(':') >= 0) {
        colonColour(codes[i].split(":", -1));
        continue;
      }
      int code = number(codes[i]);
      if (code == 38 || code == 48) {
        i = semicolonColour(codes, i, code == 38);
      } else {
        applySimple(code);
      }
    }
  }

  /** {@code 38;5;N} or {@code 38;2;R;G;B} at {@code at}; returns the last index used. */
  private int semicolonColour(String[] codes, int at, boolean foreground) {
    int kind = at + 1 < codes.length ? number(codes[at + 1]) : -1;
    if (kind == 5 && at + 2 < codes.length) {
      indexed(foreground, number(codes[at + 2]));
      return at + 2;
    }
    if (kind == 2 && at + 4 < codes.length) {
      rgb(foreground, number(codes[at + 2]), number(codes[at + 3]), number(codes[at + 4]));
      return at + 4;
    }
    return codes.length;
  }

  /** ITU T.416 form: {@code 38:5:N}, {@code 38:2:CS:R:G:B} or the common {@code 38:2:R:G:B}. */
  private void colonColour(String[] sub) {
    int code = number(sub[0]);
    if ((code != 38 && code != 48) || sub.length < 3) {
      return;
    }
    boolean foreground = code == 38;
    int kind = number(sub[1]);
    int n = sub.length;
    if (kind == 5) {
      indexed(foreground, number(sub[2]));
    } else if (kind == 2 && n >= 5) {
      rgb(foreground, number(sub[n - 3]), number(sub[n - 2]), number(sub[n - 1]));
    }
  }

  private void indexed(boolean foreground, int index) {
    if (index >= 0 && index <= 255) {
      set(foreground, index);
    }
  }

  private void rgb(boolean foreground, int r, int g, int b) {
    if (byteSized(r) && byteSized(g) && byteSized(b)) {
      set(foreground, RGB | (r << 16) | (g << 8) | b);
    }
  }

  private static boolean byteSized(int v) {
    return v >= 0 && v <= 255;
  }

  private void set(boolean foreground, int colour) {
    if (foreground) {
      fg = colour;
    } else {
      bg = colour;
    }
  }

  private void applySimple(int code) {
    if (code == 0) {
      reset();
    } else if ((code >= 1 && code <= 4) || code == 9) {
      flags |= flagOf(code);
    } else if (code == 22) {
      flags &= ~(BOLD | DIM);
    } else if (code == 23 || code == 24 || code == 29) {
      flags &= ~flagOf(code - 20);
    } else if (code >= 30 && code <= 37) {
      fg = code - 30;
    } else if (code >= 40 && code <= 47) {
      bg = code - 40;
    } else if (code >= 90 && code <= 97) {
      fg = code - 90 + 8;
    } else if (code >= 100 && code <= 107) {
      bg = code - 100 + 8;
    } else if (code == 39) {
      fg = DEFAULT;
    } else if (code == 49) {
      bg = DEFAULT;
    }
  }

  private static int flagOf(int code) {
    return switch (code) {
      case 1 -> BOLD;
      case 2 -> DIM;
      case 3 -> ITALIC;
      case 4 -> UNDERLINE;
      case 9 -> STRIKE;
      default -> 0;
    };
  }

  /** A parameter as a number; anything else (too long, not digits) counts as -1 (ignored). */
  private static int number(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    if (s.length() > 9) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /**
   * The attributes of an opening {@code <span>}: classes for the 16 colours and the flags, an
   * inline colour for 256-colour and 24-bit ones. Built only from numbers, never from log text.
   */
  String spanAttributes() {
    StringBuilder classes = new StringBuilder();
    StringBuilder style = new StringBuilder();
    colour(fg, "f", "color", classes, style);
    colour(bg, "g", "background-color", classes, style);
    String[] names = {"b", "d", "i", "u", "s"};
    for (int bit = 0; bit < names.length; bit++) {
      if ((flags & 1 << bit) != 0) {
        classes.append(classes.length() == 0 ? "" : " ").append(names[bit]);
      }
    }
    String out = classes.length() == 0 ? "" : " class=\"" + classes + "\"";
    return style.length() == 0 ? out : out + " style=\"" + style + "\"";
  }

  private static void colour(
      int colour, String prefix, String property, StringBuilder classes, StringBuilder style) {
    if (colour == DEFAULT) {
      return;
    }
    if (colour < 16) {
      classes.append(classes.length() == 0 ? "" : " ").append(prefix).append(colour);
      return;
    }
    int rgb = colour >= RGB ? colour & 0xffffff : xterm256(colour);
    style.append(property).append(':').append(String.format("#%06x", rgb)).append(';');
  }

  /** The xterm palette: 16-231 a 6x6x6 cube, 232-255 a grey ramp. */
  static int xterm256(int index) {
    if (index >= 232) {
      int grey = 8 + (index - 232) * 10;
      return (grey << 16) | (grey << 8) | grey;
    }
    int cube = index - 16;
    int[] level = {0, 95, 135, 175, 215, 255};
    return (level[cube / 36] << 16) | (level[cube / 6 % 6] << 8) | level[cube % 6];
  }
}
