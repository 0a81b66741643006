package io.soilci.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.soilci.result.BadInput;
import io.soilci.server.coordinator.CoordinatorSettings;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.storage.S3Credentials;
import io.soilci.server.storage.StorageSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the JSON configuration file. An unknown key or a bad value fails with the key's full name
 * and the rule, so a typo never silently falls back to a default.
 */
public final class ConfigFile {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigFile() {}

  /** The configuration in {@code file}; keys it lacks keep their defaults. */
  public static ServerConfig read(Path file, Optional<Path> siteFromCommandLine)
      throws IOException {
    return read(file, siteFromCommandLine, System.getenv());
  }

  /** The configuration in {@code file}, with the bucket's credentials from {@code environment}. */
  static ServerConfig read(
      Path file, Optional<Path> siteFromCommandLine, Map<String, String> environment)
      throws IOException {
    if (Files.isDirectory(file)) {
      throw new BadInput("config file '" + file + "' is a folder; give the JSON config file in it");
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInput("config file '" + file + "' does not exist");
    } catch (JsonProcessingException e) {
      throw new BadInput("config file '" + file + "' is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInput("config file '" + file + "' cannot be read: " + e.getMessage(), e);
    }
    Path base = java.util.Objects.requireNonNull(file.toAbsolutePath().getParent());
    return parse(root, base, siteFromCommandLine, environment);
  }

  static ServerConfig parse(
      JsonNode root,
      Path base,
      Optional<Path> siteFromCommandLine,
      Map<String, String> environment) {
    Keys keys = new Keys(root, "");
    Optional<Path> siteInFile = keys.text("site").map(base::resolve);
    Optional<Path> site = siteFromCommandLine.or(() -> siteInFile);
    ServerConfig defaults =
        ServerConfig.defaults(
            site.orElseThrow(() -> new BadInput("config key 'site' is required (or --site)")));
    ServerConfig config =
        new ServerConfig(
            defaults.site(),
            keys.text("state").map(base::resolve).orElse(defaults.state()),
            keys.text("listen")
                .map(v -> Listen.parse("config key 'listen'", v))
                .orElse(defaults.listen()),
            keys.bool("publicReads").orElse(defaults.publicReads()),
            keys.integer("keepRuns", 1, 1_000_000).orElse(defaults.keepRuns()),
            keys.text("repositoryUrl").map(ConfigFile::requireHttpUrl),
            keys.object("hooks").map(ConfigFile::hooks).orElse(HookSettings.NONE),
            keys.object("limits").map(ConfigFile::limits).orElse(Limits.DEFAULTS),
            keys.object("guards").map(ConfigFile::guards).orElse(Guards.DEFAULTS),
            keys.integer("jobLeaseSeconds", 1, 7 * 86_400)
                .map(Duration::ofSeconds)
                .orElse(defaults.jobLease()),
            keys.object("logs").map(ConfigFile::logs).orElse(ErrorPatterns.DEFAULTS),
            keys.object("live").map(ConfigFile::live).orElse(LiveLimits.DEFAULTS),
            keys.object("coordinator")
                .map(ConfigFile::coordinator)
                .orElse(CoordinatorSettings.DEFAULTS),
            keys.object("distributed").map(d -> distributed(d, environment)));
    keys.requireNoOthers();
    return config;
  }

  private static DistributedSettings distributed(Keys keys, Map<String, String> environment) {
    String replica = keys.text("replica").orElseGet(ConfigFile::hostReplica);
    URI events = keys.uri("events").orElseThrow(() -> keys.missing("events"));
    StorageSettings storage =
        keys.object("storage")
            .map(s -> storage(s, environment))
            .orElseThrow(() -> keys.missing("storage"));
    keys.requireNoOthers();
    return new DistributedSettings(replica, events, storage);
  }

  private static String hostReplica() {
    try {
      return DistributedSettings.replicaOf(InetAddress.getLocalHost().getHostName());
    } catch (UnknownHostException e) {
      throw new BadInput(
          "config key 'distributed.replica' is needed: this host's name is unknown ("
              + e.getMessage()
              + ")");
    }
  }

  private static StorageSettings storage(Keys keys, Map<String, String> environment) {
    StorageSettings storage =
        new StorageSettings(
            keys.uri("endpoint").orElseThrow(() -> keys.missing("endpoint")),
            keys.text("bucket").orElseThrow(() -> keys.missing("bucket")),
            keys.text("prefix").orElse(""),
            keys.text("region").orElse(StorageSettings.DEFAULT_REGION),
            S3Credentials.fromEnvironment(environment));
    keys.requireNoOthers();
    return storage;
  }

  private static CoordinatorSettings coordinator(Keys keys) {
    CoordinatorSettings d = CoordinatorSettings.DEFAULTS;
    CoordinatorSettings settings =
        new CoordinatorSettings(
            keys.integer("maxQueuedJobs", 1, 10_000_000).orElse(d.maxQueuedJobs()),
            keys.integer("maxJobsPerSubmit", 1, 100_000).orElse(d.maxJobsPerSubmit()),
            keys.integer("leaseSeconds", 1, 86_400).map(Duration::ofSeconds).orElse(d.lease()),
            keys.integer("maxAttempts", 1, 100).orElse(d.maxAttempts()),
            keys.integer("keepEnded", 1, 1_000_000).orElse(d.keepEnded()));
    keys.requireNoOthers();
    return settings;
  }

  private static LiveLimits live(Keys keys) {
    LiveLimits d = LiveLimits.DEFAULTS;
    LiveLimits live =
        new LiveLimits(
            keys.integer("maxStreams", 1, 1_000_000).orElse(d.maxStreams()),
            keys.integer("maxStreamsPerAddress", 1, 1_000_000).orElse(d.maxStreamsPerAddress()),
            keys.integer("heartbeatSeconds", 1, 3600).orElse(d.heartbeatSeconds()));
    keys.requireNoOthers();
    return live;
  }

  /**
   * {@code logs.errorPatterns}: regular expressions for the lines that count as errors, tried
   * before the built-in ones; {@code logs.defaultErrorPatterns: false} drops the built-in ones.
   */
  private static ErrorPatterns logs(Keys keys) {
    List<String> regexes = keys.texts("errorPatterns").orElse(List.of());
    boolean defaults = keys.bool("defaultErrorPatterns").orElse(true);
    keys.requireNoOthers();
    return ErrorPatterns.of("config key 'logs.errorPatterns' entry", regexes)
        .and(defaults ? ErrorPatterns.DEFAULTS : new ErrorPatterns(List.of()));
  }

  private static String requireHttpUrl(String url) {
    if (!url.matches("https?://[^\\s\"'<>]+")) {
      throw new BadInput(
          "config key 'repositoryUrl' '"
              + url
              + "' must be an http(s) URL, e.g."
              + " https://github.com/OWNER/REPO");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static Limits limits(Keys keys) {
    Limits d = Limits.DEFAULTS;
    long maxLong = Long.MAX_VALUE / 4;
    Limits limits =
        new Limits(
            keys.number("maxRequestBytes", 1024, maxLong).orElse(d.maxRequestBytes()),
            keys.integer("maxParts", 1, 10_000).orElse(d.maxParts()),
            keys.integer("maxHeaderBytes", 1024, 1 << 24).orElse(d.maxHeaderBytes()),
            keys.integer("maxZipEntries", 1, 10_000_000).orElse(d.maxZipEntries()),
            keys.number("maxUncompressedBytes", 1, maxLong).orElse(d.maxUncompressedBytes()),
            keys.integer("maxCompressionRatio", 1, 100_000).orElse(d.maxCompressionRatio()),
            keys.integer("maxUploadsInFlight", 1, 10_000).orElse(d.maxUploadsInFlight()),
            keys.number("drainBytes", 1, maxLong).orElse(d.drainBytes()));
    keys.requireNoOthers();
    return limits;
  }

  private static Guards guards(Keys keys) {
    Guards d = Guards.DEFAULTS;
    int day = 86_400;
    Guards guards =
        new Guards(
            keys.integer("idleTimeoutSeconds", 1, day).orElse(d.idleTimeoutSeconds()),
            keys.integer("requestParseTimeoutSeconds", 1, day)
                .orElse(d.requestParseTimeoutSeconds()),
            keys.integer("readTimeoutSeconds", 1, day).orElse(d.readTimeoutSeconds()),
            keys.integer("writeTimeoutSeconds", 1, day).orElse(d.writeTimeoutSeconds()),
            keys.integer("minBodyBytesPerSecond", 1, 1 << 30).orElse(d.minBodyBytesPerSecond()),
            keys.integer("bodyRateWindowSeconds", 1, day).orElse(d.bodyRateWindowSeconds()),
            keys.integer("maxUploadsPerWorker", 1, 10_000).orElse(d.maxUploadsPerWorker()),
            keys.integer("loginFailuresPerAddress", 1, 1_000_000)
                .orElse(d.loginFailuresPerAddress()),
            keys.integer("loginFailuresPerName", 1, 1_000_000).orElse(d.loginFailuresPerName()),
            keys.integer("loginFailureWindowSeconds", 1, day).orElse(d.loginFailureWindowSeconds()),
            keys.integer("maxWaitingAtStart", 1, 1_000_000).orElse(d.maxWaitingAtStart()));
    keys.requireNoOthers();
    return guards;
  }

  private static HookSettings hooks(Keys keys) {
    HookSettings d = HookSettings.NONE;
    Map<String, String> commands = new LinkedHashMap<>();
    for (String event :
        List.of(
            HookEvent.JOB_PASSED,
            HookEvent.JOB_FAILED,
            HookEvent.RUN_FINISHED,
            HookEvent.JOB_SETUP_FAILED,
            HookEvent.JOB_CANCELLED)) {
      keys.text(event).ifPresent(command -> commands.put(event, command));
    }
    HookSettings hooks =
        new HookSettings(
            commands,
            keys.integer("threads", 1, 64).orElse(d.threads()),
            keys.integer("queue", 1, 100_000).orElse(d.queue()),
            keys.integer("timeoutSeconds", 1, 86_400).map(Duration::ofSeconds).orElse(d.timeout()));
    keys.requireNoOthers();
    return hooks;
  }

  /** One JSON object's keys, each read at most once; the rest are unknown. */
  static final class Keys {
    private final JsonNode node;
    private final String path;
    private final List<String> read = new ArrayList<>();

    Keys(JsonNode node, String path) {
      if (!node.isObject()) {
        throw new BadInput(
            (path.isEmpty() ? "the config file" : "config key '" + path + "'")
                + " must be a JSON object");
      }
      this.node = node;
      this.path = path;
    }

    private String name(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private Optional<JsonNode> get(String key) {
      read.add(key);
      JsonNode value = node.get(key);
      return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }

    Optional<String> text(String key) {
      return get(key).map(v -> requireText(key, v));
    }

    private String requireText(String key, JsonNode v) {
      if (!v.isTextual() || v.asText().isEmpty()) {
        throw new BadInput("config key '" + name(key) + "' must be a non-empty string, got " + v);
      }
      return v.asText();
    }

    /** A list of non-empty strings. */
    Optional<List<String>> texts(String key) {
      return get(key)
          .map(
              v -> {
                if (!v.isArray()) {
                  throw new BadInput(
                      "config key '" + name(key) + "' must be a list of strings, got " + v);
                }
                List<String> out = new ArrayList<>();
                v.forEach(item -> out.add(requireText(key, item)));
                return List.copyOf(out);
              });
    }

    Optional<URI> uri(String key) {
      return text(key)
          .map(
              v -> {
                try {
                  return new URI(v);
                } catch (URISyntaxException e) {
                  throw new BadInput(
                      "config key '" + name(key) + "' '" + v + "' is not a URL: " + e.getReason());
                }
              });
    }

    BadInput missing(String key) {
      return new BadInput("config key '" + name(key) + "' is required");
    }

    Optional<Boolean> bool(String key) {
      return get(key)
          .map(
              v -> {
                if (!v.isBoolean()) {
                  throw new BadInput(
                      "config key '" + name(key) + "' must be true or false, got " + v);
                }
                return v.asBoolean();
              });
    }

    Optional<Long> number(String key, long min, long max) {
      return get(key)
          .map(
              v -> {
                if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
                  throw new BadInput(
                      "config key '"
                          + name(key)
                          + "' must be an integer from "
                          + min
                          + " to "
                          + max
                          + ", got "
                          + v);
                }
                return v.asLong();
              });
    }

    Optional<Integer> integer(String key, int min, int max) {
      return number(key, min, max).map(Long::intValue);
    }

    Optional<Keys> object(String key) {
      return get(key).map(v -> new Keys(v, name(key)));
    }

    void requireNoOthers() {
      for (String key : names()) {
        if (!read.contains(key)) {
          throw new BadInput(
              "config key '"
                  + name(key)
                  + "' is unknown; known keys here: "
                  + String.join(", ", read));
        }
      }
    }
  }
}
