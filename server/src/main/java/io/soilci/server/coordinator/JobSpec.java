package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.Printable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One submitted job: what an agent needs to run it with {@code run-job}. Immutable; checked when
 * made, so every field is safe to hand to an agent and to put in a path or a command line.
 *
 * @param name the job's name on the site
 * @param tasks the task list's text (Soil's four columns), or null with {@code tasksFrom}
 * @param tasksFrom the command printing the task list in the checkout, or null with {@code tasks}
 * @param provider {@code local}, {@code podman} or {@code docker}
 * @param image the container image, or null
 * @param workspace a workspace file, relative to the checkout, or null
 * @param labels what an agent must have to run it, sorted
 * @param timeoutSeconds each task's timeout
 * @param env variables the tasks get, sorted by name (part of the job's inputs)
 * @param parallel tasks run at once ({@code run-job --parallel}), 1-64; not part of the inputs
 */
public record JobSpec(
    JobName name,
    @Nullable String tasks,
    @Nullable String tasksFrom,
    String provider,
    @Nullable String image,
    @Nullable String workspace,
    Set<String> labels,
    int timeoutSeconds,
    Map<String, String> env,
    int parallel) {
  static final Set<String> PROVIDERS = Set.of("local", "podman", "docker");
  static final int MAX_TASKS_CHARS = 256 * 1024;
  static final int MAX_LABELS = 16;
  static final int MAX_ENV = 64;
  static final int DEFAULT_TIMEOUT = 900;
  static final int MAX_PARALLEL = 64;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
  private static final Pattern RELATIVE =
      Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+){0,15}");
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "tasks",
          "tasksFrom",
          "provider",
          "image",
          "workspace",
          "labels",
          "timeoutSeconds",
          "env",
          "parallel");

  public JobSpec {
    labels = java.util.Collections.unmodifiableSet(new TreeSet<>(labels));
    env = java.util.Collections.unmodifiableMap(new TreeMap<>(env));
  }

  /** Reads {@code jobs[index]} of a submit; every refusal names it and the rule. */
  static JobSpec parse(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadInput(where + " must be a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new BadInput(
            where + " has an unknown key '" + Printable.of(key) + "'; known keys: " + keys());
      }
    }
    String name = text(node, "name", where).orElseThrow(() -> missing(where, "name"));
    JobName job;
    try {
      job = new JobName(name);
    } catch (BadInput e) {
      throw new BadInput(where + ": " + e.getMessage(), e);
    }
    String w = where + " (" + name + ")";
    Optional<String> tasks = text(node, "tasks", w);
    Optional<String> tasksFrom = text(node, "tasksFrom", w);
    if (tasks.isPresent() == tasksFrom.isPresent()) {
      throw new BadInput(
          w
              + " must have exactly one of 'tasks' (the task list's text) or 'tasksFrom' (a command"
              + " printing it)");
    }
    tasks.ifPresent(t -> requireText(w + ".tasks", t, MAX_TASKS_CHARS, true));
    tasksFrom.ifPresent(t -> requireText(w + ".tasksFrom", t, 4096, false));
    String provider = text(node, "provider", w).orElse("local");
    if (!PROVIDERS.contains(provider)) {
      throw new BadInput(
          w
              + ".provider '"
              + Printable.of(provider)
              + "' must be one of "
              + String.join(", ", new TreeSet<>(PROVIDERS)));
    }
    Optional<String> image = text(node, "image", w);
    image.ifPresent(
        i -> {
          if (!i.matches("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,299}")) {
            throw new BadInput(
                w
                    + ".image '"
                    + Printable.of(i)
                    + "' must be an image reference: letters, digits and . _ / : @ + -, e.g."
                    + " debian:bookworm");
          }
        });
    Optional<String> workspace = text(node, "workspace", w);
    workspace.ifPresent(
        path -> {
          if (!RELATIVE.matcher(path).matches() || List.of(path.split("/")).contains("..")) {
            throw new BadInput(
                w
                    + ".workspace '"
                    + Printable.of(path)
                    + "' must be a relative path inside the checkout (no '..', no leading '/'),"
                    + " e.g. soil/workspace.json");
          }
        });
    if (image.isPresent() && provider.equals("local")) {
      throw new BadInput(w + ".image needs provider podman or docker (provider is local)");
    }
    Set<String> labels = labels(node.get("labels"), w);
    int timeout = DEFAULT_TIMEOUT;
    JsonNode t = node.get("timeoutSeconds");
    if (t != null && !t.isNull()) {
      if (!t.isInt() || t.asInt() < 1 || t.asInt() > 7 * 86_400) {
        throw new BadInput(
            w + ".timeoutSeconds '" + Printable.of(t.toString()) + "' must be 1-604800 seconds");
      }
      timeout = t.asInt();
    }
    Map<String, String> env = env(node.get("env"), w);
    int parallel = 1;
    JsonNode p = node.get("parallel");
    if (p != null && !p.isNull()) {
      if (!p.isInt() || p.asInt() < 1 || p.asInt() > MAX_PARALLEL) {
        throw new BadInput(
            w
                + ".parallel '"
                + Printable.of(p.toString())
                + "' must be 1-"
                + MAX_PARALLEL
                + ": the tasks run at once (run-job --parallel)");
      }
      parallel = p.asInt();
    }
    return new JobSpec(
        job,
        tasks.orElse(null),
        tasksFrom.orElse(null),
        provider,
        image.orElse(null),
        workspace.orElse(null),
        labels,
        timeout,
        env,
        parallel);
  }

  private static Set<String> labels(@Nullable JsonNode node, String where) {
    Set<String> labels = new TreeSet<>();
    if (node == null || node.isNull()) {
      return labels;
    }
    if (!node.isArray()) {
      throw new BadInput(where + ".labels must be an array of strings, e.g. [\"arm64\"]");
    }
    if (node.size() > MAX_LABELS) {
      throw new BadInput(
          where
              + ".labels has "
              + node.size()
              + " labels, more than the "
              + MAX_LABELS
              + " allowed");
    }
    for (JsonNode label : node) {
      labels.add(
          requireLabel(where + ".labels", label.isTextual() ? label.asText() : label.toString()));
    }
    return labels;
  }

  /** A label: 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit. */
  static String requireLabel(String where, String label) {
    if (!LABEL.matcher(label).matches()) {
      throw new BadInput(
          where
              + " label '"
              + Printable.of(label)
              + "' must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter"
              + " or digit");
    }
    return label;
  }

  private static Map<String, String> env(@Nullable JsonNode node, String where) {
    Map<String, String> env = new TreeMap<>();
    if (node == null || node.isNull()) {
      return env;
    }
    if (!node.isObject()) {
      throw new BadInput(where + ".env must be an object of NAME: value strings");
    }
    if (node.size() > MAX_ENV) {
      throw new BadInput(
          where + ".env has " + node.size() + " variables, more than the " + MAX_ENV + " allowed");
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw new BadInput(
            where
                + ".env name '"
                + Printable.of(e.getKey())
                + "' must be a shell variable name: letters, digits, '_', not starting with a"
                + " digit");
      }
      if (e.getKey().startsWith("SOIL_")) {
        throw new BadInput(
            where + ".env name '" + e.getKey() + "' must not start with SOIL_ (the agent's own)");
      }
      if (!e.getValue().isTextual()) {
        throw new BadInput(where + ".env." + e.getKey() + " must be a string");
      }
      env.put(
          e.getKey(),
          requireText(where + ".env." + e.getKey(), e.getValue().asText(), 4096, false));
    }
    return env;
  }

  private static Optional<String> text(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new BadInput(where + "." + key + " must be a string");
    }
    return Optional.of(value.asText());
  }

  private static String requireText(String what, String text, int max, boolean lines) {
    if (text.isEmpty() || text.length() > max) {
      throw new BadInput(what + " must be 1-" + max + " characters, got " + text.length());
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < ' ' && c != '\t' && !(lines && (c == '\n' || c == '\r'))) {
        throw new BadInput(
            what
                + " must not hold control characters (found U+"
                + String.format("%04X", (int) c)
                + ")");
      }
    }
    return text;
  }

  private static BadInput missing(String where, String key) {
    return new BadInput(where + " needs '" + key + "'");
  }

  private static String keys() {
    return String.join(", ", new TreeSet<>(KEYS));
  }

  /** The spec as JSON, as the log keeps it and agents get it. */
  ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", name.value());
    if (tasks != null) {
      node.put("tasks", tasks);
    }
    if (tasksFrom != null) {
      node.put("tasksFrom", tasksFrom);
    }
    node.put("provider", provider);
    if (image != null) {
      node.put("image", image);
    }
    if (workspace != null) {
      node.put("workspace", workspace);
    }
    var labelArray = node.putArray("labels");
    labels.forEach(labelArray::add);
    node.put("timeoutSeconds", timeoutSeconds);
    ObjectNode envNode = node.putObject("env");
    env.forEach(envNode::put);
    if (parallel > 1) {
      node.put("parallel", parallel);
    }
    return node;
  }

  /** The labels as one queue's key, e.g. {@code arm64,podman} (empty: any agent). */
  String queueKey() {
    return String.join(",", labels);
  }

  /** True when an agent with {@code agentLabels} may run it. */
  boolean fits(Set<String> agentLabels) {
    return agentLabels.containsAll(labels);
  }

  static List<String> sortedLabels(Set<String> labels) {
    return new ArrayList<>(new TreeSet<>(labels));
  }
}
