package io.soilci.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Real headless Chromium driven over the DevTools protocol: started with {@code
 * --remote-debugging-port=0}, one page target, JSON messages over the JDK's WebSocket. Collects the
 * page's console errors, log errors and uncaught exceptions.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  private Chromium(Process process, URI page) {
    this.process = process;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(page, new Listener())
            .orTimeout(30, TimeUnit.SECONDS)
            .join();
  }

  /** Starts Chromium (path from {@code CHROMIUM}, default {@code /usr/bin/chromium}). */
  public static Chromium start(Path profile) throws IOException, InterruptedException {
    String binary = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    Process process =
        TestProcesses.track(
            new ProcessBuilder(
                    binary,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--hide-scrollbars",
                    "--remote-debugging-port=0",
                    "--remote-debugging-address=127.0.0.1",
                    "--user-data-dir=" + profile,
                    "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start());
    try {
      Chromium chromium = new Chromium(process, pageSocket(profile.resolve("DevToolsActivePort")));
      chromium.call("Runtime.enable", Map.of());
      chromium.call("Log.enable", Map.of());
      chromium.call("Page.enable", Map.of());
      return chromium;
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static URI pageSocket(Path activePort) throws IOException, InterruptedException {
    for (int i = 0; i < 300 && !(Files.exists(activePort) && Files.size(activePort) > 0); i++) {
      Thread.sleep(100);
    }
    String port = Files.readAllLines(activePort).get(0).trim();
    HttpResponse<String> list =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    for (JsonNode target : JSON.readTree(list.body())) {
      if (target.path("type").asText().equals("page")) {
        return URI.create(target.path("webSocketDebuggerUrl").asText());
      }
    }
    throw new IOException("chromium has no page target: " + list.body());
  }

  /** Sends one DevTools command and waits for its result. */
  public JsonNode call(String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", JSON.valueToTree(params));
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    socket.sendText(message.toString(), true).join();
    JsonNode reply = answer.orTimeout(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.path("result");
  }

  /** Loads {@code url} and waits for its load event. */
  public void open(String url) throws InterruptedException {
    int before = eventCount("Page.loadEventFired");
    call("Page.navigate", Map.of("url", url));
    for (int i = 0; i < 300 && eventCount("Page.loadEventFired") == before; i++) {
      Thread.sleep(50);
    }
  }

  /** Evaluates {@code expression} in the page; returns its value as JSON. */
  public JsonNode eval(String expression) {
    JsonNode result =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(expression + " threw " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Polls {@code condition} (a JS expression) until true, at most {@code timeout}. */
  public boolean await(String condition, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (eval("!!(" + condition + ")").asBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** A PNG of the page at {@code width} CSS pixels (the whole page height). */
  public void screenshot(Path png, int width, boolean phone) throws IOException {
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width", width, "height", phone ? 844 : 900, "deviceScaleFactor", 1, "mobile", phone));
    JsonNode shot =
        call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    call("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /** A PNG of what the screen shows now, {@code width} × {@code height} CSS pixels. */
  public void viewportShot(Path png, int width, int height) throws IOException {
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png"));
    Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
  }

  /** Console errors, error log entries and uncaught exceptions since the last call. */
  public synchronized List<String> takeErrors() {
    List<String> out = List.copyOf(errors);
    errors.clear();
    return out;
  }

  private synchronized int eventCount(String method) {
    return (int) events.stream().filter(method::equals).count();
  }

  private synchronized void onEvent(String method, JsonNode params) {
    events.add(method);
    switch (method) {
      case "Runtime.consoleAPICalled" -> {
        String type = params.path("type").asText();
        if (type.equals("error") || type.equals("assert") || type.equals("warning")) {
          errors.add("console." + type + ": " + params.path("args"));
        }
      }
      case "Log.entryAdded" -> {
        JsonNode entry = params.path("entry");
        if (entry.path("level").asText().equals("error")) {
          errors.add("log: " + entry.path("text").asText() + " " + entry.path("url").asText());
        }
      }
      case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails"));
      default -> {}
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public @Nullable CompletionStage<?> onText(
        WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if (message.has("id")) {
            CompletableFuture<JsonNode> call = calls.remove(message.get("id").asInt());
            if (call != null) {
              call.complete(message);
            }
          } else {
            onEvent(message.path("method").asText(), message.path("params"));
          }
        } catch (IOException e) {
          throw new IllegalStateException("chromium sent bad JSON", e);
        } finally {
          text.setLength(0);
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.abort();
    // Its helpers (crashpad, utility and renderer processes) may outlive it for a moment, writing
    // into the profile folder that the caller deletes next: they are stopped and waited for too.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    helpers.forEach(ProcessHandle::destroy);
    for (ProcessHandle helper : helpers) {
      try {
        helper.onExit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        helper.destroyForcibly();
      }
    }
  }
}
