package io.soilci.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link SafeName#isSafe} and {@link SiteLayout#isCommit} are loops (they run for every job of a
 * run each time it changes, and on every request): they answer as the regular expressions that
 * define the rules, on edge cases and on random strings near them.
 */
class NameRulesTest {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

  /** Characters in and just outside the rules' classes (neighbours in ASCII, and non-ASCII). */
  private static final String ALPHABET =
      "0189afgzAFGZ._-/:@[`{~ \t\n\u00e9\u0663\uff10\u212a" + "0123456789abcdef";

  @Test
  void edgeCases() {
    for (String s :
        new String[] {
          "",
          "a",
          "-a",
          ".a",
          "_a",
          "a-",
          "A.b_c-d",
          "9",
          "é",
          "a b",
          "a/b",
          "\u0663",
          "a".repeat(100),
          "a".repeat(101),
          "0".repeat(6),
          "0".repeat(7),
          "f".repeat(64),
          "f".repeat(65),
          "ABCDEF0",
          "abcdefg",
          "abcdef0\n"
        }) {
      assertThat(SafeName.isSafe(s)).as(s).isEqualTo(SAFE.matcher(s).matches());
      assertThat(SiteLayout.isCommit(s)).as(s).isEqualTo(COMMIT.matcher(s).matches());
    }
  }

  @Test
  void randomStringsAnswerAsTheRegularExpressions() {
    Random random = new Random(16);
    for (int i = 0; i < 200_000; i++) {
      int length = random.nextInt(4) == 0 ? random.nextInt(110) : 5 + random.nextInt(62);
      StringBuilder s = new StringBuilder();
      for (int j = 0; j < length; j++) {
        s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      if (random.nextBoolean()) {
        // Mostly valid strings with one odd character: the cases a loop gets wrong.
        String base = random.nextBoolean() ? "0123456789abcdef" : "Ab0._-z";
        for (int j = 0; j < s.length(); j++) {
          s.setCharAt(j, base.charAt(random.nextInt(base.length())));
        }
        if (s.length() > 0 && random.nextBoolean()) {
          s.setCharAt(random.nextInt(s.length()), ALPHABET.charAt(random.nextInt(26)));
        }
      }
      String value = s.toString();
      assertThat(SafeName.isSafe(value)).as(value).isEqualTo(SAFE.matcher(value).matches());
      assertThat(SiteLayout.isCommit(value)).as(value).isEqualTo(COMMIT.matcher(value).matches());
    }
  }
}
