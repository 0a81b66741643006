package io.soilci.server.live;

import io.soilci.result.BadInput;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.Printable;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.WorkerHost;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /live/events} asks to follow: tasks' logs ({@code tail=HOST-jobs/RUN/JOB/TASK},
 * each from a byte offset {@code @N}, or the offsets in {@code Last-Event-ID}), a page ({@code
 * page=PATH}) and whether lines come as text or as the log view's HTML.
 */
record LiveEventsRequest(
    List<TaskKey> tails, long[] offsets, Optional<String> page, OptionalLong seen, boolean html) {
  static final int MAX_TAILS = 16;
  private static final Pattern TAIL =
      Pattern.compile("([a-z]+-jobs)/([^/@]+)/([^/@]+)/([^/@]+)(?:@([0-9]{1,15}))?");
  private static final Pattern PAGE =
      Pattern.compile(
          "(?:[A-Za-z0-9][A-Za-z0-9._-]{0,99}/){0,4}[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.html");
  private static final Pattern OFFSETS = Pattern.compile("[0-9]{1,15}(,[0-9]{1,15}){0,15}");
  private static final Pattern MILLIS = Pattern.compile("[0-9]{1,15}");

  LiveEventsRequest {
    tails = List.copyOf(tails);
    offsets = offsets.clone();
  }

  /** From the query parameters and the {@code Last-Event-ID} header of a reconnect, if any. */
  static LiveEventsRequest parse(Map<String, Deque<String>> query, @Nullable String lastEventId) {
    List<String> tailValues = List.copyOf(query.getOrDefault("tail", new java.util.ArrayDeque<>()));
    if (tailValues.size() > MAX_TAILS) {
      throw new BadInput(
          tailValues.size()
              + " tail parameters: a stream follows at most "
              + MAX_TAILS
              + " tasks; open another stream for more");
    }
    List<TaskKey> tails = new ArrayList<>();
    long[] offsets = new long[tailValues.size()];
    for (int i = 0; i < tailValues.size(); i++) {
      Matcher m = TAIL.matcher(tailValues.get(i));
      if (!m.matches()) {
        throw new BadInput(
            "tail '"
                + Printable.of(tailValues.get(i))
                + "' must be HOST-jobs/RUN/JOB/TASK with an optional @OFFSET,"
                + " e.g. github-jobs/4101/cpp/build@0");
      }
      JobRef job =
          new JobRef(
              WorkerHost.fromPrefix(m.group(1)), new RunId(m.group(2)), new JobName(m.group(3)));
      tails.add(new TaskKey(job, new TaskName(m.group(4))));
      offsets[i] = m.group(5) == null ? 0 : Long.parseLong(m.group(5));
    }
    Optional<String> page = single(query, "page");
    if (page.isPresent() && !PAGE.matcher(page.get()).matches()) {
      throw new BadInput(
          "page '"
              + Printable.of(page.get())
              + "' must be a page of the site: its path from the site root, ending in .html,"
              + " e.g. github-jobs/4101/index.html");
    }
    if (tails.isEmpty() && page.isEmpty()) {
      throw new BadInput(
          "a live stream needs something to follow: tail=HOST-jobs/RUN/JOB/TASK or page=PATH,"
              + " e.g. /live/events?page=github-jobs/4101/index.html");
    }
    Optional<String> seenValue = single(query, "seen");
    if (seenValue.isPresent() && (page.isEmpty() || !MILLIS.matcher(seenValue.get()).matches())) {
      throw new BadInput(
          "seen '"
              + Printable.of(seenValue.get())
              + "' must be the Last-Modified time of the page=PATH the client shows, in"
              + " milliseconds since 1970, e.g. page=github-jobs/4101/index.html&seen=1764590400000");
    }
    OptionalLong seen =
        seenValue.map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
    String format = single(query, "format").orElse("text");
    if (!format.equals("text") && !format.equals("html")) {
      throw new BadInput("format '" + Printable.of(format) + "' must be text or html");
    }
    if (lastEventId != null && !lastEventId.isEmpty() && !tails.isEmpty()) {
      offsets = resumed(lastEventId, tails.size());
    }
    return new LiveEventsRequest(tails, offsets, page, seen, format.equals("html"));
  }

  /** The offsets a reconnecting client last got, one per tail. */
  private static long[] resumed(String lastEventId, int count) {
    String[] parts = lastEventId.split(",", -1);
    if (!OFFSETS.matcher(lastEventId).matches() || parts.length != count) {
      throw new BadInput(
          "Last-Event-ID '"
              + Printable.of(lastEventId)
              + "' must be "
              + count
              + " byte offsets separated by commas, one per tail, as the stream's events set it");
    }
    long[] offsets = new long[count];
    for (int i = 0; i < count; i++) {
      offsets[i] = Long.parseLong(parts[i]);
    }
    return offsets;
  }

  private static Optional<String> single(Map<String, Deque<String>> query, String name) {
    Deque<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new BadInput("query parameter '" + name + "' must be given once");
    }
    return Optional.of(values.getFirst());
  }
}
