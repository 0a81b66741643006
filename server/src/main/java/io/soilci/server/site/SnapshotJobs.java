package io.soilci.server.site;

import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A run's jobs as the index snapshot holds them ({@link IndexSnapshot}): their bytes, decoded the
 * first time anything reads a job, and until then only the facts the index files the run by ({@link
 * Summary}), which the snapshot keeps beside the bytes. A start from the snapshot so makes no job
 * of a run no page or request asks for. Immutable like every map of a {@link RunState}; safe to
 * read from any thread (one decodes, the others wait for it).
 */
@SuppressWarnings("JdkObsolete") // RunState's jobs are a SortedMap
final class SnapshotJobs extends AbstractMap<String, JobEntry>
    implements SortedMap<String, JobEntry> {

  /**
   * What {@link RunState} answers without the jobs, as it would answer from them: the jobs' count,
   * {@link RunState#commits}, {@link RunState#statusRunIds}, {@link RunState#startEpoch}, {@link
   * RunState#inProgress}, {@link RunState#testPageKeys} and {@link RunState#jobCounts}.
   */
  record Summary(
      int count,
      Set<String> commits,
      Set<String> statusRunIds,
      long startEpoch,
      boolean inProgress,
      List<TestKey> testPageKeys,
      JobCounts jobCounts) {
    Summary {
      commits = ordered(commits);
      statusRunIds = ordered(statusRunIds);
      testPageKeys = List.copyOf(testPageKeys);
    }

    /**
     * An unmodifiable copy in the same order; one of at most one element as {@link Set#of}, as
     * nearly every run's commits and status run ids are: a start makes 5,000 summaries before the
     * JIT has compiled much.
     */
    private static Set<String> ordered(Set<String> set) {
      return switch (set.size()) {
        case 0 -> Set.of();
        case 1 -> Set.of(set.iterator().next());
        default -> java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(set));
      };
    }

    /** The summary of {@code run}, from its jobs. */
    static Summary of(RunState run) {
      return new Summary(
          run.jobs().size(),
          run.commits(),
          run.statusRunIds(),
          run.startEpoch(),
          run.inProgress(),
          run.testPageKeys(),
          run.jobCounts());
    }
  }

  /** Makes the jobs from their bytes. */
  @FunctionalInterface
  interface Decoder {
    SortedMap<String, JobEntry> decode(byte[] bytes, int offset, int length) throws IOException;
  }

  private final String run;
  private final byte[] bytes;
  private final int offset;
  private final int length;
  private final Summary summary;
  private final Decoder decoder;
  private volatile @Nullable SortedMap<String, JobEntry> jobs;

  /**
   * The jobs of {@code run} in {@code bytes[offset, offset + length)} (never changed: the snapshot
   * read into memory), summed up by {@code summary}.
   */
  SnapshotJobs(String run, byte[] bytes, int offset, int length, Summary summary, Decoder decoder) {
    this.run = run;
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
    this.summary = summary;
    this.decoder = decoder;
  }

  Summary summary() {
    return summary;
  }

  /** The jobs' bytes as the snapshot holds them (written back as they are). */
  byte[] bytes() {
    return bytes;
  }

  int offset() {
    return offset;
  }

  int length() {
    return length;
  }

  /** Whether the jobs were made (for tests: a start makes none of a run nothing asked for). */
  boolean decoded() {
    return jobs != null;
  }

  private SortedMap<String, JobEntry> jobs() {
    SortedMap<String, JobEntry> made = jobs;
    if (made == null) {
      synchronized (this) {
        made = jobs;
        if (made == null) {
          made = decode();
          jobs = made;
        }
      }
    }
    return made;
  }

  private SortedMap<String, JobEntry> decode() {
    SortedMap<String, JobEntry> made;
    try {
      made = decoder.decode(bytes, offset, length);
    } catch (IOException | RuntimeException e) {
      // The snapshot's checksum matched and this version wrote it: only a bug gets here.
      throw new IllegalStateException(
          "the jobs of run "
              + run
              + " in the index snapshot cannot be decoded ("
              + e
              + "); stop the server, delete STATE/"
              + StateLayout.INDEX_SNAPSHOT
              + " and start it again (every job is then read from its files)",
          e);
    }
    if (made.size() != summary.count()) {
      throw new IllegalStateException(
          "run "
              + run
              + " in the index snapshot has "
              + made.size()
              + " jobs where its summary says "
              + summary.count()
              + "; stop the server, delete STATE/"
              + StateLayout.INDEX_SNAPSHOT
              + " and start it again");
    }
    return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(made));
  }

  @Override
  public int size() {
    return summary.count();
  }

  @Override
  public boolean isEmpty() {
    return summary.count() == 0;
  }

  @Override
  public boolean containsKey(Object key) {
    return jobs().containsKey(key);
  }

  @Override
  public @Nullable JobEntry get(Object key) {
    return jobs().get(key);
  }

  @Override
  public Set<Map.Entry<String, JobEntry>> entrySet() {
    return jobs().entrySet();
  }

  @Override
  public Set<String> keySet() {
    return jobs().keySet();
  }

  @Override
  public Collection<JobEntry> values() {
    return jobs().values();
  }

  @Override
  public @Nullable Comparator<? super String> comparator() {
    return null;
  }

  @Override
  public SortedMap<String, JobEntry> subMap(String fromKey, String toKey) {
    return jobs().subMap(fromKey, toKey);
  }

  @Override
  public SortedMap<String, JobEntry> headMap(String toKey) {
    return jobs().headMap(toKey);
  }

  @Override
  public SortedMap<String, JobEntry> tailMap(String fromKey) {
    return jobs().tailMap(fromKey);
  }

  @Override
  public String firstKey() {
    return jobs().firstKey();
  }

  @Override
  public String lastKey() {
    return jobs().lastKey();
  }
}
