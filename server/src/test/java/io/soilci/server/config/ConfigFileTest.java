package io.soilci.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.server.logview.ErrorPatterns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  private ServerConfig read(String json) throws IOException {
    return ConfigFile.read(Files.writeString(dir.resolve("soil.json"), json), Optional.empty());
  }

  @Test
  void readsEveryKey() throws IOException {
    ServerConfig config =
        read(
            "{\"site\": \"www\", \"state\": \"/srv/state\", \"listen\": \"0.0.0.0:9000\","
                + " \"publicReads\": false, \"keepRuns\": 7,"
                + " \"repositoryUrl\": \"https://github.com/o/r/\","
                + " \"hooks\": {\"job-failed\": \"echo failed\", \"timeoutSeconds\": 5},"
                + " \"limits\": {\"maxParts\": 5, \"maxRequestBytes\": 4096}}");

    assertThat(config.site()).isEqualTo(dir.resolve("www"));
    assertThat(config.state()).isEqualTo(Path.of("/srv/state"));
    assertThat(config.listen()).isEqualTo(new Listen("0.0.0.0", 9000));
    assertThat(config.publicReads()).isFalse();
    assertThat(config.keepRuns()).isEqualTo(7);
    assertThat(config.repositoryUrl()).contains("https://github.com/o/r");
    assertThat(config.hooks().commands()).containsEntry("job-failed", "echo failed");
    assertThat(config.hooks().timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(config.limits().maxParts()).isEqualTo(5);
    assertThat(config.limits().maxRequestBytes()).isEqualTo(4096);
    assertThat(config.limits().maxZipEntries()).isEqualTo(Limits.DEFAULTS.maxZipEntries());
  }

  @Test
  void readsHowManyRequestsWaitAtTheStart() throws IOException {
    assertThat(read("{\"site\": \"www\"}").guards().maxWaitingAtStart()).isEqualTo(1000);
    assertThat(
            read("{\"site\": \"www\", \"guards\": {\"maxWaitingAtStart\": 5}}")
                .guards()
                .maxWaitingAtStart())
        .isEqualTo(5);
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"guards\": {\"maxWaitingAtStart\": 0}}"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith(
            "config key 'guards.maxWaitingAtStart' must be an integer from 1 to 1000000");
  }

  @Test
  void defaultsTheStateFolderBesideTheSite() throws IOException {
    ServerConfig config = read("{\"site\": \"www\"}");

    assertThat(config.state()).isEqualTo(dir.resolve("soil-state"));
  }

  @Test
  void rejectsAnUnknownKeyNamingIt() {
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"keepRun\": 3}"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("config key 'keepRun' is unknown; known keys here: site, ");
  }

  @Test
  void rejectsAnUnknownNestedKeyWithItsFullName() {
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"limits\": {\"maxPart\": 3}}"))
        .hasMessageStartingWith("config key 'limits.maxPart' is unknown; known keys here: ");
  }

  @Test
  void rejectsABadValueNamingTheKeyAndRule() {
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"limits\": {\"maxParts\": \"many\"}}"))
        .hasMessage(
            "config key 'limits.maxParts' must be an integer from 1 to 10000, got \"many\"");
  }

  @Test
  void rejectsABadListenAddress() {
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"listen\": \"8080\"}"))
        .hasMessage(
            "config key 'listen' '8080' must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0-65535)");
  }

  @Test
  void rejectsARepeatedKey() {
    assertThatThrownBy(() -> read("{\"site\": \"a\", \"site\": \"b\"}"))
        .hasMessageStartingWith(
            "config file '" + dir.resolve("soil.json") + "' is not valid JSON:");
  }

  @Test
  void requiresASite() {
    assertThatThrownBy(() -> read("{}")).hasMessage("config key 'site' is required (or --site)");
  }

  @Test
  void readsErrorPatternsTriedBeforeTheBuiltInOnesOrInsteadOfThem() throws IOException {
    int builtIn = ErrorPatterns.DEFAULTS.patterns().size();

    ServerConfig added = read("{\"site\": \"www\", \"logs\": {\"errorPatterns\": [\"^OOPS\"]}}");
    ServerConfig only =
        read(
            "{\"site\": \"www\", \"logs\": {\"errorPatterns\": [\"^OOPS\", \"^BAD\"],"
                + " \"defaultErrorPatterns\": false}}");

    assertThat(read("{\"site\": \"www\"}").errorPatterns()).isEqualTo(ErrorPatterns.DEFAULTS);
    assertThat(added.errorPatterns().patterns()).hasSize(builtIn + 1);
    assertThat(String.valueOf((Object) added.errorPatterns().patterns().get(0))).contains("^OOPS");
    assertThat(only.errorPatterns().patterns()).hasSize(2);
  }

  @Test
  void rejectsABadErrorPatternNamingIt() {
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"logs\": {\"errorPatterns\": [\"a(b\"]}}"))
        .hasMessageStartingWith(
            "config key 'logs.errorPatterns' entry 'a(b' must be a Java regular expression:");
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"logs\": {\"errorPatterns\": \"^x\"}}"))
        .hasMessage("config key 'logs.errorPatterns' must be a list of strings, got \"^x\"");
    assertThatThrownBy(() -> read("{\"site\": \"www\", \"logs\": {\"errorPattern\": []}}"))
        .hasMessage(
            "config key 'logs.errorPattern' is unknown; known keys here: errorPatterns,"
                + " defaultErrorPatterns");
  }
}
