package io.soilci.server.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soilci.result.JobRef;
import io.soilci.server.config.LiveLimits;
import io.soilci.server.http.HttpError;
import io.soilci.server.logview.LiveLogHtml;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open event streams ({@code GET /live/events}): which stream follows which task's log and
 * which page, bounded to {@link LiveLimits#maxStreams()} at once and {@link
 * LiveLimits#maxStreamsPerAddress()} per client address. New lines, a task's end and a page written
 * are pushed to the streams that follow them; the lines of one append are encoded once for all of
 * them.
 */
public final class LiveStreams {
  /** Seconds a client refused for the caps is told to wait. */
  static final int RETRY_AFTER_SECONDS = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LiveLogs logs;
  private final LiveLimits limits;
  private final Map<TaskKey, Set<LiveStream>> byTask = new ConcurrentHashMap<>();
  private final Map<String, Set<LiveStream>> byPage = new ConcurrentHashMap<>();
  private final Map<TaskKey, Encoded> lastEncoded = new ConcurrentHashMap<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  private int open;

  /** The newest lines of a task as one stream event's data, kept for the next stream to ask. */
  private record Encoded(long start, long end, boolean html, String data) {}

  LiveStreams(LiveLogs logs, LiveLimits limits) {
    this.logs = logs;
    this.limits = limits;
  }

  LiveLogs logs() {
    return logs;
  }

  LiveLimits limits() {
    return limits;
  }

  /** Takes one of the server's and {@code address}'s stream places, or 503. */
  synchronized void reserve(String address) {
    if (open >= limits.maxStreams()) {
      throw HttpError.busy(
          "the server already has "
              + open
              + " live streams open (config live.maxStreams "
              + limits.maxStreams()
              + "); retry in "
              + RETRY_AFTER_SECONDS
              + " seconds, or reload the page: it is complete without them",
          RETRY_AFTER_SECONDS);
    }
    int mine = perAddress.getOrDefault(address, 0);
    if (mine >= limits.maxStreamsPerAddress()) {
      throw HttpError.busy(
          "address '"
              + address
              + "' already has "
              + mine
              + " live streams open (config live.maxStreamsPerAddress "
              + limits.maxStreamsPerAddress()
              + "); close a tab that follows a live log, or retry in "
              + RETRY_AFTER_SECONDS
              + " seconds",
          RETRY_AFTER_SECONDS);
    }
    perAddress.put(address, mine + 1);
    open++;
  }

  /** Gives back the place {@link #reserve} took. */
  synchronized void release(String address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    open--;
  }

  void register(LiveStream stream) {
    stream
        .tails()
        .forEach(k -> byTask.computeIfAbsent(k, x -> ConcurrentHashMap.newKeySet()).add(stream));
    stream
        .page()
        .ifPresent(p -> byPage.computeIfAbsent(p, x -> ConcurrentHashMap.newKeySet()).add(stream));
  }

  void unregister(LiveStream stream) {
    for (TaskKey key : stream.tails()) {
      byTask.computeIfPresent(
          key,
          (k, set) -> {
            set.remove(stream);
            return set.isEmpty() ? null : set;
          });
      if (!byTask.containsKey(key)) {
        lastEncoded.remove(key);
      }
    }
    stream
        .page()
        .ifPresent(
            p ->
                byPage.computeIfPresent(
                    p,
                    (k, set) -> {
                      set.remove(stream);
                      return set.isEmpty() ? null : set;
                    }));
  }

  /** New bytes of {@code key}'s log arrived. */
  void appended(TaskKey key) {
    for (LiveStream stream : byTask.getOrDefault(key, Set.of())) {
      stream.pump(key);
    }
  }

  /** {@code key} ended with {@code status}. */
  void ended(TaskKey key, int status) {
    for (LiveStream stream : byTask.getOrDefault(key, Set.of())) {
      stream.end(key, status);
    }
    lastEncoded.remove(key);
  }

  /** Every task of {@code job} still followed ended with the job's {@code status}. */
  void jobEnded(JobRef job, int status) {
    for (TaskKey key : List.copyOf(byTask.keySet())) {
      if (key.job().equals(job)) {
        ended(key, status);
      }
    }
  }

  /** The site wrote (or deleted) the page at {@code path} (relative to the site root). */
  public void pageChanged(String path) {
    for (LiveStream stream : byPage.getOrDefault(path, Set.of())) {
      stream.pageChanged(path);
    }
  }

  /**
   * The data of a {@code log} event: {@code {"tail", "start", "end", "line", "text" or "html"}};
   * the same lines are encoded once for every stream at the same offset.
   */
  String logData(TaskKey key, LiveLines lines, boolean html) {
    Encoded last = lastEncoded.get(key);
    if (last != null
        && last.start() == lines.start()
        && last.end() == lines.end()
        && last.html() == html) {
      return last.data();
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("tail", key.toString());
    data.put("start", lines.start());
    data.put("end", lines.end());
    data.put("line", lines.firstLine());
    if (html) {
      data.put("html", LiveLogHtml.lines(lines.firstLine(), lines.bytes(), key.task() + ".txt"));
    } else {
      data.put("text", new String(lines.bytes(), StandardCharsets.UTF_8));
    }
    String encoded = json(data);
    lastEncoded.put(key, new Encoded(lines.start(), lines.end(), html, encoded));
    return encoded;
  }

  static String json(Map<String, ?> data) {
    try {
      return JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers is JSON", e);
    }
  }
}
