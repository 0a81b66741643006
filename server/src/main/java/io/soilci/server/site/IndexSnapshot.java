package io.soilci.server.site;

import io.soilci.cli.SoilVersion;
import io.soilci.files.AtomicFiles;
import io.soilci.result.JobName;
import io.soilci.result.RunId;
import io.soilci.result.TaskName;
import io.soilci.result.TaskRow;
import io.soilci.result.TaskRows;
import io.soilci.result.TestCounts;
import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import io.soilci.result.WorkerHost;
import io.soilci.server.logview.ErrorPatterns;
import io.soilci.server.logview.Excerpt;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The whole index as one file, {@code STATE/index.snapshot}, so that a start reads no job file:
 * every run of every host with its jobs' stored facts (task rows, test summary and results, failure
 * briefs) and running state, and for each run folder the stamp it had ({@link FolderStamp}). This
 * class alone knows the format; {@link #VERSION} changes with it, and a snapshot of another format,
 * of another server version or other settings, cut short or damaged (a CRC-32C of every byte ends
 * it) is not used (the start reads every job and writes a new one). It is read in one go and its
 * checksum checked before anything is made of it; each run's jobs are bytes of their own (their own
 * table of strings), kept as they are until something reads a job of the run ({@link
 * SnapshotJobs}): a start makes only each run's summary, what the index files it by. Stored jobs'
 * task rows stay bytes until a page needs them ({@link StoredRows}). A run still undecoded at the
 * next write is written back as the same bytes.
 *
 * <p>Written atomically (temp file, fsync, rename) when nothing changes the index: at the end of a
 * start that read anything from the files, and when the server stops.
 */
final class IndexSnapshot {
  /** The format: raise it with any change to what is written, or to what the index keeps. */
  static final int VERSION = 6;

  private static final long MAGIC = 0x536f696c49647831L; // "SoilIdx1"
  private static final long END = 0x536f696c456e6421L; // "SoilEnd!"

  /** How much of the file one read takes ({@link #readAll}). */
  private static final int READ_STEP = 1 << 20;

  private IndexSnapshot() {}

  /**
   * What the index is made from besides the files: a snapshot taken with other settings is not
   * used. The error patterns decide the failure briefs.
   */
  static String settingsKey(ErrorPatterns patterns) {
    // The server's version (another may render pages or keep facts differently), then a record of
    // records: each pattern's tool, regular expression and anchoring, in order.
    return "soil-server " + SoilVersion.get() + "\n" + patterns.toString();
  }

  /** One run folder as the snapshot saw it: its runs and their stamps. */
  record Run(RunState state, FolderStamp stamp) {}

  /** Writes every run of {@code runs} (by host) with its stamp. */
  static void write(Path file, String settingsKey, Map<WorkerHost, List<Run>> runs)
      throws IOException {
    Path temp = AtomicFiles.createTemp(file);
    try {
      CRC32C crc = new CRC32C();
      try (OutputStream raw = Files.newOutputStream(temp);
          BufferedOutputStream buffered = new BufferedOutputStream(raw, 1 << 16);
          DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
        Writer w = new Writer(out);
        out.writeLong(MAGIC);
        out.writeInt(VERSION);
        w.text(settingsKey);
        out.writeInt(runs.size());
        ByteArrayOutputStream jobs = new ByteArrayOutputStream(1 << 16);
        for (Map.Entry<WorkerHost, List<Run>> host : runs.entrySet()) {
          w.text(host.getKey().id());
          out.writeInt(host.getValue().size());
          for (Run run : host.getValue()) {
            w.run(run, jobs);
          }
        }
        out.writeLong(END);
        out.flush();
        // Outside the sum: the sum of every byte before it.
        new DataOutputStream(buffered).writeInt((int) crc.getValue());
      }
      AtomicFiles.commit(temp, file);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * The runs a snapshot holds, by host; empty when there is none or it cannot be used (another
   * version, other settings, cut short or damaged), with why in {@code why}. Each run is also
   * handed to {@code each} on this thread as soon as it is decoded (a start loads them into the
   * index on another thread meanwhile); when the answer is empty, what it was given is not to be
   * used.
   */
  static Optional<Map<WorkerHost, Map<String, Run>>> read(
      Path file, String settingsKey, StringBuilder why, BiConsumer<WorkerHost, Run> each) {
    try {
      // One sequential read; the sum is checked before anything is made of the bytes.
      ByteBuffer all = readAll(file);
      if (all.remaining() < 12 || all.getLong(0) != MAGIC) {
        why.append("not a snapshot of the index");
        return Optional.empty();
      }
      int version = all.getInt(8);
      if (version != VERSION) {
        why.append("format ").append(version).append(", this server writes ").append(VERSION);
        return Optional.empty();
      }
      int end = all.limit() - 4;
      CRC32C crc = new CRC32C();
      crc.update(all.array(), 0, end);
      if ((int) crc.getValue() != all.getInt(end)) {
        why.append("its checksum does not match: cut short or damaged");
        return Optional.empty();
      }
      BufferInput in =
          new BufferInput(all.array(), all.arrayOffset() + 12, all.arrayOffset() + end);
      Reader r = new Reader(in);
      if (!r.text().equals(settingsKey)) {
        why.append("taken by another server version or with other logs.errorPatterns");
        return Optional.empty();
      }
      Map<WorkerHost, Map<String, Run>> out = new LinkedHashMap<>();
      int hosts = r.count(16);
      for (int h = 0; h < hosts; h++) {
        WorkerHost host = WorkerHost.parse(r.text());
        Map<String, Run> runs = new HashMap<>();
        int count = r.count(10_000_000);
        for (int i = 0; i < count; i++) {
          Run run = r.run();
          runs.put(run.state().id().value(), run);
          each.accept(host, run);
        }
        out.put(host, runs);
      }
      if (in.readLong() != END || in.remaining() != 0) {
        why.append("it does not end where it should");
        return Optional.empty();
      }
      return Optional.of(out);
    } catch (NoSuchFileException e) {
      why.append("there is none");
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      why.append("it cannot be read: ").append(e);
      return Optional.empty();
    }
  }

  /**
   * The whole file, read in steps of 1 MiB into one array: {@link Files#readAllBytes} reads it
   * through a temporary direct buffer as large as the file (26 MB at 100,000 jobs), which cost a
   * start three times the CPU of the read itself. Read to its end, whatever size it had when
   * opened.
   */
  private static ByteBuffer readAll(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      if (size >= Integer.MAX_VALUE - 16) {
        throw new IOException("it is " + size + " bytes, more than a snapshot can hold");
      }
      // One byte more than its size: a read that fills the array has not seen the end yet.
      byte[] bytes = new byte[(int) size + 1];
      int read = 0;
      while (true) {
        if (read == bytes.length) {
          if (bytes.length >= Integer.MAX_VALUE / 2) {
            throw new IOException("it grew past " + read + " bytes while it was read");
          }
          bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        int n =
            channel.read(ByteBuffer.wrap(bytes, read, Math.min(bytes.length - read, READ_STEP)));
        if (n < 0) {
          return ByteBuffer.wrap(bytes, 0, read);
        }
        read += n;
      }
    }
  }

  /** Strings once each: later uses are numbers (a run's jobs share commit, task and file names). */
  private static final class Writer {
    private final DataOutputStream out;
    private final Map<String, Integer> seen = new HashMap<>();

    Writer(DataOutputStream out) {
      this.out = out;
    }

    void str(String s) throws IOException {
      Integer id = seen.get(s);
      if (id != null) {
        varint(id + 1);
        return;
      }
      seen.put(s, seen.size());
      varint(0);
      text(s);
    }

    void text(String s) throws IOException {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      varint(bytes.length);
      out.write(bytes);
    }

    void varint(int value) throws IOException {
      int v = value;
      while ((v & ~0x7f) != 0) {
        out.writeByte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.writeByte(v);
    }

    /**
     * A run: its name, arrival and stamp, its summary ({@link SnapshotJobs.Summary}), then its
     * jobs' bytes (made in {@code buffer} with a table of strings of their own; a run from the
     * snapshot not decoded since: its bytes as they were read).
     */
    void run(Run run, ByteArrayOutputStream buffer) throws IOException {
      RunState state = run.state();
      text(state.id().value());
      out.writeLong(state.arrived());
      run.stamp().writeTo(out);
      if (state.jobs() instanceof SnapshotJobs saved) {
        summary(saved.summary());
        varint(saved.length());
        out.write(saved.bytes(), saved.offset(), saved.length());
        return;
      }
      summary(SnapshotJobs.Summary.of(state));
      buffer.reset();
      new Writer(new DataOutputStream(buffer)).jobs(state);
      varint(buffer.size());
      buffer.writeTo(out);
    }

    void summary(SnapshotJobs.Summary summary) throws IOException {
      out.writeInt(summary.count());
      out.writeInt(summary.commits().size());
      for (String commit : summary.commits()) {
        text(commit);
      }
      out.writeInt(summary.statusRunIds().size());
      for (String id : summary.statusRunIds()) {
        text(id);
      }
      out.writeLong(summary.startEpoch());
      out.writeBoolean(summary.inProgress());
      out.writeInt(summary.testPageKeys().size());
      for (TestKey key : summary.testPageKeys()) {
        text(key.job());
        text(key.task());
        text(key.suite());
        text(key.name());
      }
      for (JobCounts.State state : JobCounts.State.values()) {
        out.writeInt(summary.jobCounts().count(state));
      }
    }

    /** A run's jobs, on a writer of their own (its own table of strings). */
    void jobs(RunState state) throws IOException {
      out.writeInt(state.jobs().size());
      for (JobEntry job : state.jobs().values()) {
        str(job.name().value());
        JobFacts stored = job.stored();
        RunningJob running = job.running();
        out.writeByte((stored == null ? 0 : 1) | (running == null ? 0 : 2));
        if (stored != null) {
          facts(stored);
        }
        if (running != null) {
          running(running);
        }
      }
      out.flush();
    }

    void facts(JobFacts f) throws IOException {
      str(f.name().value());
      for (String s :
          List.of(
              f.commit(),
              f.commitLine(),
              f.commitDate(),
              f.jobUrl(),
              f.pullTime(),
              f.workspace(),
              f.pullRequest(),
              f.branch(),
              f.statusRunId(),
              f.cancelled(),
              f.broken(),
              f.agent())) {
        str(s);
      }
      out.writeLong(f.startEpoch());
      byte[] rows = StoredRows.encode(f.tasks());
      varint(rows.length);
      out.write(rows);
      TaskTotals t = f.totals();
      out.writeInt(t.tasks());
      out.writeInt(t.failed());
      out.writeInt(t.maxStatus());
      str(t.firstFailed());
      out.writeDouble(t.elapsed());
      tests(f.tests());
      out.writeInt(f.briefs().size());
      for (Map.Entry<String, List<Excerpt.Line>> brief : new TreeMap<>(f.briefs()).entrySet()) {
        str(brief.getKey());
        out.writeInt(brief.getValue().size());
        for (Excerpt.Line line : brief.getValue()) {
          out.writeLong(line.number());
          text(line.text());
        }
      }
    }

    void rows(List<TaskRow> rows) throws IOException {
      out.writeInt(rows.size());
      for (TaskRow row : rows) {
        out.writeInt(row.status());
        out.writeDouble(row.elapsedSeconds());
        str(row.name().value());
        str(row.scriptName());
        str(row.func());
        str(row.resultsUrl());
      }
    }

    void tests(TestSummary t) throws IOException {
      out.writeBoolean(!t.equals(TestSummary.NONE));
      if (t.equals(TestSummary.NONE)) {
        return;
      }
      out.writeInt(t.byTask().size());
      for (Map.Entry<String, TestCounts> task : t.byTask().entrySet()) {
        str(task.getKey());
        counts(task.getValue());
      }
      counts(t.total());
      out.writeInt(t.failing().size());
      for (TestResult r : t.failing()) {
        str(r.task().value());
        text(r.suite());
        text(r.name());
        str(r.status().name());
        out.writeDouble(r.seconds());
        text(r.message());
        str(r.report());
        out.writeInt(r.line());
      }
      out.writeInt(t.failingNotKept());
      text(t.problem());
      out.writeInt(t.failingKeys().size());
      for (Optional<TestKey> key : t.failingKeys()) {
        out.writeBoolean(key.isPresent());
        if (key.isPresent()) {
          str(key.get().job());
          str(key.get().task());
          text(key.get().suite());
          text(key.get().name());
        }
      }
      t.results().writeTo(out);
    }

    void counts(TestCounts c) throws IOException {
      out.writeInt(c.passed());
      out.writeInt(c.failed());
      out.writeInt(c.errors());
      out.writeInt(c.skipped());
      out.writeInt(c.unreadable());
    }

    void running(RunningJob r) throws IOException {
      out.writeLong(r.startedEpoch());
      rows(r.finished());
      out.writeInt(r.runningTasks().size());
      for (Map.Entry<String, Long> e : r.runningTasks().entrySet()) {
        str(e.getKey());
        out.writeLong(e.getValue());
      }
      Integer done = r.doneStatus();
      out.writeInt(done == null ? -1 : done);
      str(r.statusRunId());
      text(r.endNote());
      out.writeInt(r.startMeta().size());
      for (Map.Entry<String, String> e : r.startMeta().entrySet()) {
        str(e.getKey());
        text(e.getValue());
      }
      out.writeBoolean(r.statusOnEnd());
    }
  }

  /** Reads what {@link Writer} wrote; every count is checked before anything is made of it. */
  private static final class Reader {
    private final BufferInput in;
    private final List<String> seen = new ArrayList<>();

    /** Job names by their string: each name is checked once, not once per job. */
    private final Map<String, JobName> names = new HashMap<>();

    Reader(BufferInput in) {
      this.in = in;
    }

    JobName name() throws IOException {
      String s = str();
      JobName name = names.get(s);
      if (name == null) {
        name = new JobName(s);
        names.put(s, name);
      }
      return name;
    }

    String str() throws IOException {
      int id = varint();
      if (id == 0) {
        // The runs' jobs repeat these strings (task and file names, commits): one copy each.
        String s = text();
        if (s.length() <= 512) {
          s = s.intern();
        }
        seen.add(s);
        return s;
      }
      if (id > seen.size()) {
        throw new IOException("string " + id + " was never written");
      }
      return seen.get(id - 1);
    }

    String text() throws IOException {
      int length = varint();
      if (length > in.remaining()) {
        throw new IOException("a string of " + length + " bytes");
      }
      return in.readUtf8(length);
    }

    int varint() throws IOException {
      int value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = in.readUnsignedByte();
        value |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IOException("a number longer than 5 bytes");
    }

    int count(int max) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > max) {
        throw new IOException("count " + n + " must be 0-" + max);
      }
      return n;
    }

    /** A run, its jobs left as their bytes in the snapshot's (read in whole, never changed). */
    Run run() throws IOException {
      RunId id = new RunId(text());
      long arrived = in.readLong();
      FolderStamp stamp = FolderStamp.readFrom(in);
      SnapshotJobs.Summary summary = summary();
      int length = varint();
      if (length > in.remaining()) {
        throw new IOException("run " + id.value() + " has " + length + " bytes of jobs");
      }
      int offset = in.position();
      in.skipBytes(length);
      SnapshotJobs jobs =
          new SnapshotJobs(id.value(), in.bytes(), offset, length, summary, Reader::decodeJobs);
      return new Run(new RunState(RunKey.of(id), arrived, jobs), stamp);
    }

    SnapshotJobs.Summary summary() throws IOException {
      int count = count(1_000_000);
      int commitCount = count(1_000_000);
      Set<String> commits = new LinkedHashSet<>();
      for (int i = 0; i < commitCount; i++) {
        commits.add(text());
      }
      int idCount = count(1_000_000);
      Set<String> ids = new LinkedHashSet<>();
      for (int i = 0; i < idCount; i++) {
        ids.add(text());
      }
      long startEpoch = in.readLong();
      boolean inProgress = in.readBoolean();
      int keyCount = count(100_000_000);
      List<TestKey> keys = new ArrayList<>(Math.min(keyCount, 1024));
      for (int i = 0; i < keyCount; i++) {
        keys.add(TestKey.of(text(), text(), text(), text()));
      }
      Map<JobCounts.State, Integer> counts = new EnumMap<>(JobCounts.State.class);
      for (JobCounts.State state : JobCounts.State.values()) {
        counts.put(state, count(1_000_000));
      }
      return new SnapshotJobs.Summary(
          count, commits, ids, startEpoch, inProgress, keys, new JobCounts(counts));
    }

    /** The jobs {@link Writer#jobs} wrote into {@code bytes[offset, offset + length)}. */
    static SortedMap<String, JobEntry> decodeJobs(byte[] bytes, int offset, int length)
        throws IOException {
      Reader r = new Reader(new BufferInput(bytes, offset, offset + length));
      int jobs = r.count(1_000_000);
      TreeMap<String, JobEntry> entries = new TreeMap<>();
      for (int i = 0; i < jobs; i++) {
        JobName name = r.name();
        int flags = r.in.readUnsignedByte();
        JobFacts stored = (flags & 1) != 0 ? r.facts() : null;
        RunningJob running = (flags & 2) != 0 ? r.running() : null;
        entries.put(name.value(), new JobEntry(name, stored, running));
      }
      if (r.in.remaining() != 0) {
        throw new IOException(r.in.remaining() + " bytes left after the last job");
      }
      return entries;
    }

    JobFacts facts() throws IOException {
      JobName name = name();
      String[] s = new String[12];
      for (int i = 0; i < s.length; i++) {
        s[i] = str();
      }
      long start = in.readLong();
      byte[] rowBytes = new byte[varint()];
      in.readFully(rowBytes);
      List<TaskRow> tasks = StoredRows.of(rowBytes);
      TaskTotals totals =
          new TaskTotals(in.readInt(), in.readInt(), in.readInt(), str(), in.readDouble());
      TestSummary tests = tests();
      int briefCount = count(TaskRows.MAX_ROWS);
      Map<String, List<Excerpt.Line>> briefs = new LinkedHashMap<>();
      for (int b = 0; b < briefCount; b++) {
        String task = str();
        int lines = count(1000);
        List<Excerpt.Line> out = new ArrayList<>(lines);
        for (int l = 0; l < lines; l++) {
          out.add(new Excerpt.Line(in.readLong(), text()));
        }
        briefs.put(task, out);
      }
      return new JobFacts(
          name, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[11], start, tasks,
          totals, s[10], tests, briefs);
    }

    List<TaskRow> rows() throws IOException {
      int n = count(TaskRows.MAX_ROWS);
      List<TaskRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int status = in.readInt();
        double elapsed = in.readDouble();
        rows.add(new TaskRow(status, elapsed, new TaskName(str()), str(), str(), str()));
      }
      return rows;
    }

    TestSummary tests() throws IOException {
      if (!in.readBoolean()) {
        return TestSummary.NONE;
      }
      int tasks = count(TaskRows.MAX_ROWS);
      Map<String, TestCounts> byTask = new LinkedHashMap<>();
      for (int i = 0; i < tasks; i++) {
        byTask.put(str(), counts());
      }
      TestCounts total = counts();
      int failingCount = count(10_000);
      List<TestResult> failing = new ArrayList<>(failingCount);
      for (int i = 0; i < failingCount; i++) {
        TaskName task = new TaskName(str());
        String suite = text();
        String name = text();
        TestStatus status = TestStatus.valueOf(str());
        failing.add(
            new TestResult(
                task, suite, name, status, in.readDouble(), text(), str(), in.readInt()));
      }
      int notKept = in.readInt();
      String problem = text();
      int keyCount = count(10_000);
      List<Optional<TestKey>> keys = new ArrayList<>(keyCount);
      for (int i = 0; i < keyCount; i++) {
        boolean present = in.readBoolean();
        keys.add(
            present ? Optional.of(TestKey.of(str(), str(), text(), text())) : Optional.empty());
      }
      JobTests results = JobTests.readFrom(in);
      return new TestSummary(byTask, total, failing, notKept, problem, keys, results);
    }

    TestCounts counts() throws IOException {
      return new TestCounts(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
    }

    RunningJob running() throws IOException {
      long started = in.readLong();
      List<TaskRow> finished = rows();
      int runningCount = count(TaskRows.MAX_ROWS);
      Map<String, Long> runningTasks = new LinkedHashMap<>();
      for (int i = 0; i < runningCount; i++) {
        runningTasks.put(str(), in.readLong());
      }
      int done = in.readInt();
      String statusRunId = str();
      String note = text();
      int metaCount = count(1000);
      Map<String, String> meta = new LinkedHashMap<>();
      for (int i = 0; i < metaCount; i++) {
        meta.put(str(), text());
      }
      return new RunningJob(
          started,
          finished,
          runningTasks,
          done < 0 ? null : done,
          statusRunId,
          note,
          meta,
          in.readBoolean());
    }
  }
}
