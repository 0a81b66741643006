package io.soilci.result;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules for the facts of {@code JOB.json} that pages compute with: times, dates and numbers. A
 * value that breaks one could not be shown (an epoch second beyond what {@link Instant} holds once
 * stopped the server from starting), so it is refused where the file is read, by worker and server
 * alike.
 */
public final class MetaRules {
  /** 2000-01-01T00:00:00Z: no CI job started earlier. */
  static final long EARLIEST_EPOCH = 946_684_800L;

  /** A clock a day fast is tolerated; later is not a start time. */
  static final long FUTURE_SLACK_SECONDS = 86_400L;

  private static final Pattern EPOCH = Pattern.compile("[0-9]{1,12}");
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,12}");

  private MetaRules() {}

  /** Throws {@link BadInput} naming the first key whose value breaks its rule. */
  static void check(Map<String, @Nullable String> values) {
    epoch(values, JobMeta.TASK_RUN_START_TIME);
    epoch(values, JobMeta.TASK_DEPLOY_START_TIME);
    commitDate(values.get(JobMeta.COMMIT_DATE));
    seconds(values, JobMeta.WORKSPACE_PREPARE_TIME);
    oneOf(values, JobMeta.WORKSPACE_CACHE, "hit", "miss");
    number(values, JobMeta.GITHUB_PR_NUMBER);
    JobMeta.TEST_COUNT_KEYS.forEach(key -> number(values, key));
  }

  /**
   * Epoch seconds from 2000-01-01 to a day after now; else {@link BadInput} naming {@code what}.
   */
  public static long requireEpoch(String what, long epoch) {
    if (epoch < EARLIEST_EPOCH || epoch > Instant.now().getEpochSecond() + FUTURE_SLACK_SECONDS) {
      throw new BadInput(what + " '" + epoch + "' " + EPOCH_RULE);
    }
    return epoch;
  }

  private static final String EPOCH_RULE =
      "must be whole epoch seconds from "
          + EARLIEST_EPOCH
          + " (2000-01-01T00:00:00Z) to one day after the server's clock, e.g. 1763632800";

  private static void epoch(Map<String, @Nullable String> values, String key) {
    String text = values.get(key);
    if (text == null) {
      return;
    }
    if (!EPOCH.matcher(text).matches()) {
      throw new BadInput(key + " '" + Printable.of(text) + "' " + EPOCH_RULE);
    }
    requireEpoch(key, Long.parseLong(text));
  }

  /** {@code git log %aI}: ISO 8601 with offset, years 1970-9999; empty when git had none. */
  private static void commitDate(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    String rule =
        "' must be an ISO 8601 date and time with offset from 1970 to 9999, as 'git log"
            + " --format=%aI' prints it, e.g. 2026-11-20T10:00:01+00:00";
    if (text.length() > 40) {
      throw new BadInput(JobMeta.COMMIT_DATE + " '" + Printable.of(text) + rule);
    }
    try {
      int year = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).getYear();
      if (year >= 1970 && year <= 9999) {
        return;
      }
    } catch (DateTimeParseException e) {
      // Reported below with the rule.
    }
    throw new BadInput(JobMeta.COMMIT_DATE + " '" + Printable.of(text) + rule);
  }

  private static void seconds(Map<String, @Nullable String> values, String key) {
    String text = values.get(key);
    if (text != null && !SECONDS.matcher(text).matches()) {
      throw new BadInput(
          key
              + " '"
              + Printable.of(text)
              + "' must be seconds in ASCII digits (at most 9 before the point), e.g. 0.412");
    }
  }

  private static void oneOf(Map<String, @Nullable String> values, String key, String... allowed) {
    String text = values.get(key);
    if (text != null && !java.util.List.of(allowed).contains(text)) {
      throw new BadInput(
          key + " '" + Printable.of(text) + "' must be one of " + String.join(", ", allowed));
    }
  }

  /** A number Soil copies from the environment: null or empty when unset. */
  private static void number(Map<String, @Nullable String> values, String key) {
    String text = values.get(key);
    if (text != null && !text.isEmpty() && !NUMBER.matcher(text).matches()) {
      throw new BadInput(key + " '" + Printable.of(text) + "' must be 1-12 ASCII digits or null");
    }
  }
}
