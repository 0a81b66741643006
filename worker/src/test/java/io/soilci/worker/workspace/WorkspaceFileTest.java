package io.soilci.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkspaceFileTest {
  private static BadInput rejection(String json) {
    try {
      WorkspaceFile.parse("ws.json", json);
    } catch (BadInput e) {
      return e;
    }
    throw new AssertionError("accepted " + json);
  }

  @Test
  void readsEveryKeyOfDerricksFormat() {
    WorkspaceConfig config =
        WorkspaceFile.parse(
            "ws.json",
            """
            {"name": "oils-dev",
             "repositories": [{"url": "https://github.com/oils-for-unix/oils.git", "path": "oils", "ref": "master"}],
             "setup_script": "./build/deps.sh fetch",
             "image": "localhost/soil-test-busybox:latest",
             "env": {"LANG": "C.UTF-8"}}
            """);

    assertThat(config.name()).isEqualTo("oils-dev");
    assertThat(config.repositories())
        .containsExactly(
            new Repository("https://github.com/oils-for-unix/oils.git", "oils", "master"));
    assertThat(config.setupScript()).isEqualTo("./build/deps.sh fetch");
    assertThat(config.image()).isEqualTo("localhost/soil-test-busybox:latest");
    assertThat(config.env()).isEqualTo(Map.of("LANG", "C.UTF-8"));
  }

  @Test
  void defaultsTheOptionalKeys() {
    WorkspaceConfig config =
        WorkspaceFile.parse(
            "ws.json",
            "{\"name\": \"w\", \"repositories\": [{\"url\": \"file:///r\", \"path\": \"r\"}]}");

    assertThat(config.repositories().get(0).ref()).isEqualTo("HEAD");
    assertThat(config.setupScript()).isEmpty();
    assertThat(config.image()).isNull();
    assertThat(config.env()).isEmpty();
    assertThat(List.of(config.repositories().get(0).path())).containsExactly("r");
  }

  @Test
  void rejectsAnUnknownTopLevelKeyNamingIt() {
    assertThat(rejection("{\"name\": \"w\", \"setup\": \"x\"}"))
        .hasMessage(
            "ws.json: unknown key 'setup' (known keys: env, image, name, repositories,"
                + " setup_script)");
  }

  @Test
  void rejectsAnUnknownRepositoryKeyNamingWhereItIs() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"u\", \"path\": \"p\", \"branch\": \"b\"}]}"))
        .hasMessage(
            "ws.json: unknown key 'branch' in repositories[0] (known keys: path, ref, url)");
  }

  @Test
  void rejectsAPathThatLeavesTheWorkspace() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"u\", \"path\": \"src/../..\"}]}"))
        .hasMessage(
            "ws.json: repositories[0]: path 'src/../..' must be '.' or relative, without '..' or '.', of"
                + " segments of letters, digits, '.', '_', '+' or '-'");
  }

  @Test
  void rejectsAnAbsolutePath() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"u\", \"path\": \"/etc\"}]}"))
        .hasMessageContaining("path '/etc' must be '.' or relative");
  }

  @Test
  void rejectsATokenInTheUrlWithoutQuotingIt() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"https://x:s3cret@h/r.git\", \"path\": \"r\"}]}"))
        .hasMessage(
            "ws.json: repositories[0]: url 'https://***@h/r.git' must not hold a password or"
                + " token: put it in the host's SOIL_GIT_TOKEN");
  }

  @Test
  void acceptsAnSshUserWithoutPassword() {
    WorkspaceConfig config =
        WorkspaceFile.parse(
            "ws.json",
            "{\"name\": \"w\", \"repositories\": [{\"url\": \"ssh://git@h/r.git\", \"path\": \"r\"}]}");

    assertThat(config.repositories().get(0).url()).isEqualTo("ssh://git@h/r.git");
  }

  @Test
  void rejectsAMissingName() {
    assertThat(rejection("{\"repositories\": []}"))
        .hasMessage("ws.json: 'name' is missing: give the workspace a name, e.g. \"oils-dev\"");
  }

  @Test
  void rejectsANonStringEnvValue() {
    assertThat(rejection("{\"name\": \"w\", \"env\": {\"N\": 1}}"))
        .hasMessage("ws.json: env.N must be a string");
  }

  @Test
  void rejectsRepositoriesThatAreNotAList() {
    assertThat(rejection("{\"name\": \"w\", \"repositories\": \"x\"}"))
        .hasMessage("ws.json: repositories must be a list");
  }

  @Test
  void rejectsAFileThatIsNotAnObject() {
    assertThat(rejection("[1]")).hasMessage("ws.json: the file must be an object");
  }

  @Test
  void rejectsABadEnvName() {
    assertThat(rejection("{\"name\": \"w\", \"env\": {\"1X\": \"v\"}}"))
        .hasMessage(
            "ws.json: env name '1X' must be letters, digits or '_', not starting with a digit");
  }

  @Test
  void rejectsTwoRepositoriesInOneFolder() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"a\", \"path\": \"src\"},"
                    + " {\"url\": \"b\", \"path\": \"src/b\"}]}"))
        .hasMessage(
            "ws.json: repositories' paths 'src' and 'src/b' overlap: give each repository its own"
                + " folder");
  }

  @Test
  void rejectsInvalidJsonWithItsLine() {
    assertThatThrownBy(() -> WorkspaceFile.parse("ws.json", "{\"name\": \n \"w\",,}"))
        .isInstanceOf(BadInput.class)
        .hasMessageStartingWith("ws.json: not valid JSON at line 2: ");
  }

  @Test
  void acceptsTheWorkspaceFolderItselfAsTheFirstRepositorysPath() {
    WorkspaceConfig config =
        WorkspaceFile.parse(
            "ws.json",
            "{\"name\": \"w\", \"repositories\": [{\"url\": \"a\", \"path\": \".\"},"
                + " {\"url\": \"b\", \"path\": \"deps/b\"}]}");

    assertThat(config.repositories()).extracting(Repository::path).containsExactly(".", "deps/b");
  }

  @Test
  void rejectsTheWorkspaceFolderAfterAnotherRepository() {
    assertThat(
            rejection(
                "{\"name\": \"w\", \"repositories\": [{\"url\": \"b\", \"path\": \"b\"},"
                    + " {\"url\": \"a\", \"path\": \".\"}]}"))
        .hasMessage(
            "ws.json: repository with path '.' must come first: it is cloned into the workspace's"
                + " folder before the others go inside it");
  }
}
