package io.soilci.server.logview;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnsiHtmlTest {
  private static String html(String line) {
    StringBuilder out = new StringBuilder();
    AnsiHtml.append(line, new Style(), 10_000, out);
    return out.toString();
  }

  @Test
  void plainTextIsEscaped() {
    assertThat(html("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  }

  @Test
  void sixteenColoursBecomeClassesAndResetClosesTheSpan() {
    assertThat(html("\u001b[32m[ OK ]\u001b[0m done \u001b[1;91mFAIL\u001b[m"))
        .isEqualTo("<span class=\"f2\">[ OK ]</span> done <span class=\"f9 b\">FAIL</span>");
  }

  @Test
  void backgroundsAndAttributes() {
    assertThat(html("\u001b[2;3;4;9;44mx\u001b[22;23;24;29;49my"))
        .isEqualTo("<span class=\"g4 d i u s\">x</span>y");
  }

  @Test
  void colours256AndTruecolorBecomeInlineColoursBuiltFromNumbers() {
    assertThat(html("\u001b[38;5;196ma\u001b[48;5;244mb\u001b[38;2;1;2;255mc\u001b[39;49md"))
        .isEqualTo(
            "<span style=\"color:#ff0000;\">a</span>"
                + "<span style=\"color:#ff0000;background-color:#808080;\">b</span>"
                + "<span style=\"color:#0102ff;background-color:#808080;\">c</span>d");
  }

  @Test
  void colonSeparatedTruecolorAndTheFirst16Of256AreClasses() {
    assertThat(html("\u001b[38:2::10:20:30ma\u001b[0;38;5;3mb\u001b[48:2:1:2:3;1mc"))
        .isEqualTo(
            "<span style=\"color:#0a141e;\">a</span><span class=\"f3\">b</span>"
                + "<span class=\"f3 b\" style=\"background-color:#010203;\">c</span>");
  }

  @Test
  void outOfRangeColoursAreIgnored() {
    assertThat(html("\u001b[38;5;999ma\u001b[38;2;300;0;0mb\u001b[99999999999mc")).isEqualTo("abc");
  }

  @Test
  void otherControlSequencesAreDropped() {
    String gcc = "\u001b[01m\u001b[Kbroken.c:\u001b[m\u001b[K In";
    String cursor = "\u001b[2J\u001b[1;1H\u001b[?25lx\u001b[?25h";
    String osc = "\u001b]0;title\u0007\u001b]8;;http://evil/\u001b\\link\u001b]8;;\u001b\\";
    String charset = "\u001b(B\u001b=\u001b7y";

    assertThat(html(gcc)).isEqualTo("<span class=\"b\">broken.c:</span> In");
    assertThat(html(cursor)).isEqualTo("x");
    assertThat(html(osc)).isEqualTo("link");
    assertThat(html(charset)).isEqualTo("y");
  }

  @Test
  void sequencesCraftedToBreakOutOfASpanStayText() {
    String crafted =
        "\u001b[31m</span><img src=x onerror=alert(1)>\u001b[31;\"><b>m"
            + "\u001b[38;2;1;2;3\"style=x m z\u001b[<script>m";

    String out = html(crafted);

    assertThat(out)
        .isEqualTo(
            "<span class=\"f1\">&lt;/span&gt;&lt;img src=x onerror=alert(1)&gt;"
                + "&gt;&lt;b&gt;mtyle=x m zcript&gt;m</span>");
    assertThat(out.replaceAll("<span class=\"f1\">|</span>", "")).doesNotContain("<", ">");
  }

  @Test
  void invalidUtf8BecomesReplacementCharactersAndNulsShowAsPictures() {
    byte[] bytes = {'a', (byte) 0xff, (byte) 0xc3, 'b', 0, 7, 0x7f, (byte) 0xe2, (byte) 0x82};
    StringBuilder out = new StringBuilder();

    AnsiHtml.append(bytes, bytes.length, new Style(), 100, out);

    assertThat(out.toString()).isEqualTo("a\ufffd\ufffdb\u2400\u2407\u2421\ufffd");
  }

  @Test
  void c1ControlsAreDroppedAndTabsKept() {
    assertThat(html("a\u009b31mb\tc\u0085")).isEqualTo("a31mb\tc");
  }

  @Test
  void carriageReturnOverwritesLikeATerminalAndATrailingOneIsALineEnding() {
    assertThat(html("\u001b[33m 10%\r 50%\r\u001b[32m100%\r"))
        .isEqualTo("<span class=\"f2\">100%</span>");
  }

  @Test
  void styleCarriesToTheNextLine() {
    Style style = new Style();
    StringBuilder first = new StringBuilder();
    StringBuilder second = new StringBuilder();

    AnsiHtml.append("\u001b[31mred", style, 100, first);
    AnsiHtml.append("still red\u001b[0m", style, 100, second);

    assertThat(first.toString()).isEqualTo("<span class=\"f1\">red</span>");
    assertThat(second.toString()).isEqualTo("<span class=\"f1\">still red</span>");
  }

  @Test
  void aLongLineIsCutAtTheLimitWithoutSplittingASurrogatePair() {
    StringBuilder out = new StringBuilder();

    boolean cut = AnsiHtml.append("abc\uD83D\uDE00def", new Style(), 4, out);

    assertThat(cut).isTrue();
    assertThat(out.toString()).isEqualTo("abc");
  }

  @Test
  void plainTextHasNoEscapes() {
    assertThat(AnsiHtml.plain("\u001b[1m\u001b[31mE       assert -1 == 5\u001b[0m"))
        .isEqualTo("E       assert -1 == 5");
  }

  @Test
  void binaryBytesRenderAsTextOnly() {
    byte[] binary = new byte[4096];
    new java.util.Random(7).nextBytes(binary);
    StringBuilder out = new StringBuilder();

    AnsiHtml.append(binary, binary.length, new Style(), 100_000, out);

    String withoutSpans = out.toString().replaceAll("<span[^>]*>|</span>", "");
    assertThat(withoutSpans).doesNotContain("<", ">", "\"", "'");
  }

  @Test
  void xtermPaletteCubeAndGreys() {
    assertThat(Style.xterm256(16)).isEqualTo(0x000000);
    assertThat(Style.xterm256(231)).isEqualTo(0xffffff);
    assertThat(Style.xterm256(232)).isEqualTo(0x080808);
    assertThat(Style.xterm256(110)).isEqualTo(0x87afd7);
  }
}
