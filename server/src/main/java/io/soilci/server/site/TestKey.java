package io.soilci.server.site;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.WeakHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One test across runs: the same job, task, suite and name (never normalized: NFC and NFD spellings
 * are two tests). Made only by {@link #of}, which returns one shared instance per test while any
 * job in the index holds it, so each kept result costs a reference, not its strings.
 */
final class TestKey {
  /** The order of a job's results ({@link JobTests}): by hash, then by the four names. */
  static final Comparator<TestKey> ORDER =
      Comparator.comparingInt(TestKey::hashCode)
          .thenComparing(TestKey::job)
          .thenComparing(TestKey::task)
          .thenComparing(TestKey::suite)
          .thenComparing(TestKey::name);

  /** Every key some job holds; a key no job holds any more is collected with its entry. */
  private static final Map<TestKey, WeakReference<TestKey>> SHARED = new WeakHashMap<>();

  private static final Map<String, WeakReference<String>> SUITES = new WeakHashMap<>();

  private final String job;
  private final String task;
  private final String suite;
  private final String name;
  private final int hash;
  private volatile @Nullable String id;

  private TestKey(String job, String task, String suite, String name) {
    this.job = job;
    this.task = task;
    this.suite = suite;
    this.name = name;
    this.hash =
        ((job.hashCode() * 31 + task.hashCode()) * 31 + suite.hashCode()) * 31 + name.hashCode();
  }

  /** The shared key of a test. */
  static TestKey of(String job, String task, String suite, String name) {
    TestKey fresh = new TestKey(job.intern(), task.intern(), suite, name);
    synchronized (SHARED) {
      WeakReference<TestKey> known = SHARED.get(fresh);
      TestKey shared = known == null ? null : known.get();
      if (shared != null) {
        return shared;
      }
      TestKey made = new TestKey(fresh.job, fresh.task, sharedSuite(suite), name);
      SHARED.put(made, new WeakReference<>(made));
      return made;
    }
  }

  /** Thousands of tests share a suite's name: one copy is enough. */
  private static String sharedSuite(String suite) {
    WeakReference<String> known = SUITES.get(suite);
    String shared = known == null ? null : known.get();
    if (shared != null) {
      return shared;
    }
    SUITES.put(suite, new WeakReference<>(suite));
    return suite;
  }

  String job() {
    return job;
  }

  String task() {
    return task;
  }

  String suite() {
    return suite;
  }

  String name() {
    return name;
  }

  /**
   * The test's page name: the first 16 hex digits of the SHA-256 of job, task, suite and name
   * (NUL-separated), so any name, however long or hostile, makes a safe file name.
   */
  String id() {
    String known = id;
    if (known == null) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest =
            sha.digest(String.join("\0", job, task, suite, name).getBytes(StandardCharsets.UTF_8));
        known = HexFormat.of().formatHex(digest, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
      id = known;
    }
    return known;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this
        || (o instanceof TestKey k
            && k.hash == hash
            && k.job.equals(job)
            && k.task.equals(task)
            && k.suite.equals(suite)
            && k.name.equals(name));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return job + "/" + task + ": " + (suite.isEmpty() ? "" : suite + " ") + name;
  }
}
