package io.soilci.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.server.storage.S3Credentials;
import io.soilci.server.storage.StorageSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributedConfigTest {
  private static final Map<String, String> KEYS =
      Map.of("SOIL_S3_ACCESS_KEY", "access", "SOIL_S3_SECRET_KEY", "hush-hush");
  private static final String STORAGE =
      "\"storage\": {\"endpoint\": \"http://127.0.0.1:9000\", \"bucket\": \"soil\"}";

  @TempDir Path dir;

  private ServerConfig read(String distributed, Map<String, String> environment)
      throws IOException {
    String json = "{\"site\": \"www\", \"distributed\": " + distributed + "}";
    return ConfigFile.read(
        Files.writeString(dir.resolve("soil.json"), json), Optional.empty(), environment);
  }

  private DistributedSettings read(String distributed) throws IOException {
    return read(distributed, KEYS).distributed().orElseThrow();
  }

  @Test
  void isAbsentByDefault() throws IOException {
    ServerConfig config =
        ConfigFile.read(
            Files.writeString(dir.resolve("soil.json"), "{\"site\": \"www\"}"),
            Optional.empty(),
            Map.of());

    assertThat(config.distributed()).isEmpty();
    assertThat(config).isEqualTo(ServerConfig.defaults(dir.resolve("www")));
  }

  @Test
  void readsTheWholeBlock() throws IOException {
    DistributedSettings settings =
        read(
            "{\"replica\": \"r1\", \"events\": \"nats://127.0.0.1:4222\", \"storage\":"
                + " {\"endpoint\": \"http://127.0.0.1:9000\", \"bucket\": \"soil\","
                + " \"prefix\": \"site/\", \"region\": \"eu-west-1\"}}");

    assertThat(settings)
        .isEqualTo(
            new DistributedSettings(
                "r1",
                URI.create("nats://127.0.0.1:4222"),
                new StorageSettings(
                    URI.create("http://127.0.0.1:9000"),
                    "soil",
                    "site/",
                    "eu-west-1",
                    new S3Credentials("access", "hush-hush"))));
    assertThat(settings.storage().bucketKey("github-jobs/1/a.wwz"))
        .isEqualTo("site/github-jobs/1/a.wwz");
    assertThat(settings.toString()).doesNotContain("hush-hush").contains("secretKey=***");
  }

  @Test
  void defaultsTheReplicaToTheHostNameAndTheRegionAndPrefix() throws IOException {
    DistributedSettings settings =
        read("{\"events\": \"tls://nats.example.org\", " + STORAGE + "}");

    String host = InetAddress.getLocalHost().getHostName();
    assertThat(settings.replica()).isEqualTo(host.split("\\.")[0]);
    assertThat(settings.storage().region()).isEqualTo("us-east-1");
    assertThat(settings.storage().prefix()).isEmpty();
  }

  @Test
  void namesTheMissingCredentials() {
    assertThatThrownBy(
            () ->
                read(
                    "{\"events\": \"nats://127.0.0.1:4222\", " + STORAGE + "}",
                    Map.of("SOIL_S3_ACCESS_KEY", "access")))
        .isInstanceOf(BadInput.class)
        .hasMessage(
            "config key 'distributed.storage' needs the bucket's credentials in the environment:"
                + " set SOIL_S3_ACCESS_KEY and SOIL_S3_SECRET_KEY (missing: SOIL_S3_SECRET_KEY)");
    assertThatThrownBy(
            () -> read("{\"events\": \"nats://127.0.0.1:4222\", " + STORAGE + "}", Map.of()))
        .hasMessageEndingWith("(missing: SOIL_S3_ACCESS_KEY, SOIL_S3_SECRET_KEY)");
  }

  @Test
  void rejectsAnUnknownKeyWithItsFullName() {
    assertThatThrownBy(
            () ->
                read(
                    "{\"events\": \"nats://127.0.0.1:4222\", \"storage\": {\"endpoint\":"
                        + " \"http://127.0.0.1:9000\", \"bucket\": \"soil\", \"bukket\": 1}}"))
        .hasMessage(
            "config key 'distributed.storage.bukket' is unknown; known keys here: endpoint,"
                + " bucket, prefix, region");
    assertThatThrownBy(
            () -> read("{\"events\": \"nats://127.0.0.1:4222\", \"event\": 1, " + STORAGE + "}"))
        .hasMessage(
            "config key 'distributed.event' is unknown; known keys here: replica, events,"
                + " storage");
  }

  @Test
  void requiresEventsAndStorage() {
    assertThatThrownBy(() -> read("{\"replica\": \"r1\", " + STORAGE + "}"))
        .hasMessage("config key 'distributed.events' is required");
    assertThatThrownBy(() -> read("{\"replica\": \"r1\", \"events\": \"nats://h:4222\"}"))
        .hasMessage("config key 'distributed.storage' is required");
    assertThatThrownBy(
            () ->
                read(
                    "{\"replica\": \"r1\", \"events\": \"nats://h:4222\", \"storage\":"
                        + " {\"bucket\": \"soil\"}}"))
        .hasMessage("config key 'distributed.storage.endpoint' is required");
  }

  @Test
  void rejectsEventsThatAreNotNats() {
    assertThatThrownBy(() -> read("{\"events\": \"http://127.0.0.1:4222\", " + STORAGE + "}"))
        .hasMessage(
            "config key 'distributed.events' 'http://127.0.0.1:4222' must be nats://HOST[:PORT]"
                + " or tls://HOST[:PORT], e.g. nats://127.0.0.1:4222");
    assertThatThrownBy(() -> read("{\"events\": \"nats:// bad\", " + STORAGE + "}"))
        .hasMessageStartingWith("config key 'distributed.events' 'nats:// bad' is not a URL: ");
  }

  @Test
  void rejectsABadReplicaName() {
    assertThatThrownBy(
            () ->
                read(
                    "{\"replica\": \"r.1\", \"events\": \"nats://127.0.0.1:4222\", "
                        + STORAGE
                        + "}"))
        .hasMessage(
            "config key 'distributed.replica' 'r.1' must be 1-64 letters, digits, '_' or '-',"
                + " starting with a letter or digit (set it when the host name is not like that)");
  }

  @Test
  void rejectsAnEndpointThatIsNotHttp() {
    assertThatThrownBy(() -> storage("{\"endpoint\": \"s3://bucket\", \"bucket\": \"soil\"}"))
        .hasMessage(
            "config key 'distributed.storage.endpoint' 's3://bucket' must be http(s)://HOST[:PORT]"
                + " without a path, query or credentials, e.g. http://127.0.0.1:9000");
    assertThatThrownBy(
            () -> storage("{\"endpoint\": \"http://h:9000/soil\", \"bucket\": \"soil\"}"))
        .hasMessageStartingWith("config key 'distributed.storage.endpoint' 'http://h:9000/soil'");
  }

  @Test
  void rejectsABucketNameS3Refuses() {
    for (String bucket : new String[] {"So", "Soil", "soil_ci", "-soil", "soil..ci", "10.0.0.1"}) {
      assertThatThrownBy(
              () ->
                  storage(
                      "{\"endpoint\": \"http://127.0.0.1:9000\", \"bucket\": \"" + bucket + "\"}"))
          .hasMessage(
              "config key 'distributed.storage.bucket' '"
                  + bucket
                  + "' must be an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-',"
                  + " starting and ending with a letter or digit, no '..', not an IP address");
    }
  }

  @Test
  void rejectsAPrefixThatLeavesOrDoesNotEndWithASlash() {
    for (String prefix : new String[] {"../site/", "site", "/site/", "a//b/", "site/../"}) {
      assertThatThrownBy(
              () ->
                  storage(
                      "{\"endpoint\": \"http://127.0.0.1:9000\", \"bucket\": \"soil\","
                          + " \"prefix\": \""
                          + prefix
                          + "\"}"))
          .hasMessage(
              "config key 'distributed.storage.prefix' '"
                  + prefix
                  + "' must be segments of letters, digits, '.', '_' or '-' each ending with '/'"
                  + " (no '..', no leading '/'), e.g. site/");
    }
  }

  private DistributedSettings storage(String storage) throws IOException {
    return read(
        "{\"replica\": \"r1\", \"events\": \"nats://127.0.0.1:4222\", \"storage\": "
            + storage
            + "}");
  }
}
