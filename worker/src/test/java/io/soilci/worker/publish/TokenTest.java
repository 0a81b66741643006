package io.soilci.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenTest {
  @TempDir Path dir;

  @Test
  void readsTheTokenFromTheEnvironment() {
    Token token = Token.find(null, Map.of("SOIL_TOKEN", "ci-1:abc:def"));

    assertThat(token).isEqualTo(new Token("ci-1", "abc:def"));
    assertThat(token.toString()).isEqualTo("ci-1:****");
  }

  @Test
  void prefersTheTokenFileAndTrimsItsNewline() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "ci-2:xyz\n");

    assertThat(Token.find(file, Map.of("SOIL_TOKEN", "ci-1:abc")))
        .isEqualTo(new Token("ci-2", "xyz"));
  }

  @Test
  void explainsWhereToGetATokenWhenThereIsNone() {
    assertThatThrownBy(() -> Token.find(null, Map.of()))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "no worker token: set SOIL_TOKEN=NAME:SECRET in the environment or pass --token-file"
                + " FILE (soil-server add-worker NAME prints one)");
  }

  @Test
  void rejectsATokenWithoutSecret() {
    assertThatThrownBy(() -> Token.find(null, Map.of("SOIL_TOKEN", "ci-1")))
        .hasMessage(
            "worker token in SOIL_TOKEN must be one line NAME:SECRET (as printed by add-worker)");
  }
}
