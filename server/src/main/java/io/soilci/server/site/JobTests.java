package io.soilci.server.site;

import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.TestTable;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every test result of one stored job as the index keeps it for history: per result a shared {@link
 * TestKey} reference and one {@code int} packing the status and the time in milliseconds, sorted by
 * {@link TestKey#ORDER} for lookup: 8 bytes a result (with compressed references, as on any heap
 * under 32 GB), the test's names once for all runs. Immutable. {@link #writeTo} and {@link
 * #readFrom} make it part of a snapshot of the index.
 */
final class JobTests {
  static final JobTests NONE = new JobTests(new TestKey[0], new int[0]);

  /** Bits of the packed int that hold the status; the rest hold the time + 1 (0: unknown). */
  private static final int STATUS_BITS = 3;

  private static final int STATUS_MASK = (1 << STATUS_BITS) - 1;

  /** The longest time kept, in milliseconds (~74 h); longer times are kept as this. */
  static final int MAX_MILLIS = (1 << (31 - STATUS_BITS)) - 2;

  /** The statuses by their code in the packed int: the code is the index. */
  private static final TestStatus[] STATUSES = {
    TestStatus.PASS, TestStatus.FAIL, TestStatus.ERROR, TestStatus.SKIP, TestStatus.UNREADABLE
  };

  private final TestKey[] keys;
  private final int[] packed;

  private JobTests(TestKey[] keys, int[] packed) {
    this.keys = keys;
    this.packed = packed;
  }

  int size() {
    return keys.length;
  }

  TestKey key(int i) {
    return keys[i];
  }

  TestStatus status(int i) {
    return STATUSES[packed[i] & STATUS_MASK];
  }

  /** The result's time in milliseconds, or -1 when its report gave none. */
  int millis(int i) {
    return (packed[i] >>> STATUS_BITS) - 1;
  }

  /** The index of {@code key}'s result, or -1 when this job has none. */
  int find(TestKey key) {
    int low = 0;
    int high = keys.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int c = TestKey.ORDER.compare(keys[mid], key);
      if (c < 0) {
        low = mid + 1;
      } else if (c > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** Collects a job's rows (table order); a test named twice keeps its worst result. */
  static final class Builder {
    private final String job;
    private final Map<TestKey, Integer> rows = new HashMap<>();

    Builder(String job) {
      this.job = job;
    }

    void add(TestResult row) {
      if (row.status() == TestStatus.UNREADABLE) {
        return; // a report, not a test
      }
      TestKey key = TestKey.of(job, row.task().value(), row.suite(), row.name());
      long millis = row.seconds() < 0 ? -1 : Math.min(MAX_MILLIS, Math.round(row.seconds() * 1000));
      int value = pack(row.status(), (int) millis);
      rows.merge(key, value, JobTests::worse);
    }

    TestKey keyOf(TestResult row) {
      return TestKey.of(job, row.task().value(), row.suite(), row.name());
    }

    JobTests build() {
      if (rows.isEmpty()) {
        return NONE;
      }
      List<Map.Entry<TestKey, Integer>> sorted = new ArrayList<>(rows.entrySet());
      sorted.sort(Map.Entry.comparingByKey(TestKey.ORDER));
      TestKey[] keys = new TestKey[sorted.size()];
      int[] packed = new int[sorted.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = sorted.get(i).getKey();
        packed[i] = sorted.get(i).getValue();
      }
      return new JobTests(keys, packed);
    }
  }

  private static int pack(TestStatus status, int millis) {
    return ((millis + 1) << STATUS_BITS) | Arrays.asList(STATUSES).indexOf(status);
  }

  /** Of two results of one test in one job: the failing one, else the first. */
  private static int worse(int a, int b) {
    boolean aFails = STATUSES[a & STATUS_MASK].isFailing();
    boolean bFails = STATUSES[b & STATUS_MASK].isFailing();
    return bFails && !aFails ? b : a;
  }

  /** Writes every result: its job once, then each test's task, suite, name and packed int. */
  void writeTo(DataOutput out) throws IOException {
    out.writeInt(keys.length);
    if (keys.length > 0) {
      out.writeUTF(keys[0].job());
    }
    for (int i = 0; i < keys.length; i++) {
      out.writeUTF(keys[i].task());
      out.writeUTF(keys[i].suite());
      out.writeUTF(keys[i].name());
      out.writeInt(packed[i]);
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  static JobTests readFrom(DataInput in) throws IOException {
    int size = in.readInt();
    if (size < 0 || size > TestTable.MAX_ROWS) {
      throw new IOException(
          "a job's test results: count " + size + " must be 0-" + TestTable.MAX_ROWS);
    }
    if (size == 0) {
      return NONE;
    }
    String job = in.readUTF();
    TestKey[] keys = new TestKey[size];
    int[] packed = new int[size];
    for (int i = 0; i < size; i++) {
      keys[i] = TestKey.of(job, in.readUTF(), in.readUTF(), in.readUTF());
      packed[i] = in.readInt();
    }
    for (int i = 1; i < size; i++) {
      if (TestKey.ORDER.compare(keys[i - 1], keys[i]) >= 0) {
        throw new IOException("a job's test results are not in their order at result " + i);
      }
    }
    return new JobTests(keys, packed);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JobTests t
        && Arrays.equals(keys, t.keys)
        && Arrays.equals(packed, t.packed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keys) * 31 + Arrays.hashCode(packed);
  }

  @Override
  public String toString() {
    return keys.length + " test results";
  }
}
