import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.hooks.DueHooks;
import io.soilci.server.hooks.HookEvent;
import io.soilci.server.hooks.HookSettings;
import io.soilci.server.hooks.Hooks;
import io.soilci.server.state.StateLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * What the hook spool adds to an event that fires a hook: the time of {@code Hooks.submit} with a
 * spool (one file written, fsync'd, renamed, its folder fsync'd) on hooks not started, so that
 * nothing runs and only the spool write is timed; beside it the same bytes written and renamed
 * without any fsync; and what a done event that fires a hook adds since stop 32: its job marked
 * in {@code DueHooks} (a file written, fsync'd, renamed, its folder fsync'd) and the mark deleted
 * once the hooks are spooled. Usage: {@code java -cp server/target/soil-server.jar
 * bench/hooks/HookSpoolBench.java FOLDER [N]} (FOLDER on the state folder's disk; N default 2000).
 */
public class HookSpoolBench {
  public static void main(String[] args) throws Exception {
    Path state = Files.createTempDirectory(Path.of(args[0]), "hookspool");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    HookSettings settings =
        new HookSettings(Map.of(HookEvent.JOB_PASSED, "true"), 1, n + 100, Duration.ofMinutes(1));
    Map<String, String> env =
        Map.of(
            "SOIL_HOST", "github",
            "SOIL_RUN", "4101",
            "SOIL_JOB", "cpp",
            "SOIL_STATUS", "0",
            "SOIL_STATUS_TEXT", "passed",
            "SOIL_COMMIT", "0123456789abcdef0123456789abcdef01234567",
            "SOIL_RUN_PATH", "github-jobs/4101/index.html",
            "SOIL_JOB_PATH", "github-jobs/4101/cpp.wwz/");
    long[] spooled = new long[n];
    try (Hooks hooks = Hooks.spooled(settings, new StateLayout(state), Hooks.SITE)) {
      for (int i = 0; i < 50; i++) { // warm-up: Jackson, the folder's first write
        hooks.submit(new HookEvent(HookEvent.JOB_PASSED, env));
      }
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        hooks.submit(new HookEvent(HookEvent.JOB_PASSED, env));
        spooled[i] = System.nanoTime() - t;
      }
    }
    long[] plain = new long[n];
    byte[] bytes = ("{\"event\":\"job-passed\",\"env\":" + env + "}").getBytes(StandardCharsets.UTF_8);
    Path dir = Files.createDirectories(state.resolve("plain"));
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      Path temp = dir.resolve(".tmp-" + i);
      Files.write(temp, bytes);
      Files.move(temp, dir.resolve(i + ".json"), StandardCopyOption.ATOMIC_MOVE);
      plain[i] = System.nanoTime() - t;
    }
    long[] marked = new long[n];
    DueHooks due = DueHooks.in(new StateLayout(state));
    JobRef job = new JobRef(WorkerHost.GITHUB, new RunId("4101"), new JobName("cpp"));
    for (int i = 0; i < 50 + n; i++) {
      long t = System.nanoTime();
      if (!due.mark(job)) {
        throw new IllegalStateException("the mark was not written: see the log");
      }
      due.clear(job);
      if (i >= 50) { // after a warm-up, as above
        marked[i - 50] = System.nanoTime() - t;
      }
    }
    print("spooled submit", spooled);
    print("same file, no fsync", plain);
    print("due mark and its delete", marked);
  }

  private static void print(String what, long[] nanos) {
    Arrays.sort(nanos);
    int n = nanos.length;
    System.out.printf(
        "%s (%d): median %.3f ms, p90 %.3f ms, p99 %.3f ms, mean %.3f ms%n",
        what,
        n,
        nanos[n / 2] / 1e6,
        nanos[n * 9 / 10] / 1e6,
        nanos[n * 99 / 100] / 1e6,
        Arrays.stream(nanos).average().orElse(0) / 1e6);
  }
}
