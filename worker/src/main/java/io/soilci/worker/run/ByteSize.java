package io.soilci.worker.run;

import io.soilci.result.BadInput;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size given on the command line: {@code 1000}, {@code 64KiB}, {@code 64MiB}, {@code 1GiB}. */
final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})(|k|kib|m|mib|g|gib)");

  private ByteSize() {}

  static long parse(String option, String text) {
    Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long unit =
          switch (m.group(2)) {
            case "" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            default -> 1L << 30;
          };
      long value = Long.parseLong(m.group(1));
      if (value >= 1 && value <= (1L << 42) / unit) {
        return value * unit;
      }
    }
    throw new BadInput(
        option + " '" + text + "' must be a size like 1000, 64KiB, 64MiB or 1GiB (at most 4TiB)");
  }
}
