import io.soilci.result.JobFile;
import io.soilci.result.JobName;
import io.soilci.result.JobRef;
import io.soilci.result.RunId;
import io.soilci.result.WorkerHost;
import io.soilci.server.config.Limits;
import io.soilci.server.site.RunLocks;
import io.soilci.server.state.StateLayout;
import io.soilci.server.upload.ResultStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Times the server's check of a stored job (ResultStore.ingest: the wwz's names, sizes and ratios,
 * then every entry's data inflated and CRC-checked; the tsv and JSON) against reading the zip's
 * central directory alone, which is what the check cost before entry data was read. Median of 7.
 */
@SuppressWarnings("DefaultPackage") // run as a single source file: bench/wwz-check-bench.sh
public final class WwzCheckBench {
  public static void main(String[] args) throws Exception {
    Path site = Path.of(args[0]);
    JobRef ref = new JobRef(WorkerHost.GITHUB, new RunId("1"), new JobName("bench"));
    ResultStore store =
        new ResultStore(
            site, new StateLayout(site.resolveSibling("state")), Limits.DEFAULTS, new RunLocks());
    Path wwz = site.resolve(ref.file(JobFile.WWZ));
    for (int i = 0; i < 3; i++) {
      store.ingest(ref);
      directoryOnly(wwz);
    }
    long[] full = new long[7];
    long[] directory = new long[7];
    for (int i = 0; i < 7; i++) {
      long t0 = System.nanoTime();
      store.ingest(ref);
      full[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      directoryOnly(wwz);
      directory[i] = System.nanoTime() - t0;
    }
    System.out.printf(
        "full check (ingest, data read): median %.1f ms; central directory only: median %.1f ms%n",
        median(full) / 1e6, median(directory) / 1e6);
  }

  private static int directoryOnly(Path wwz) throws Exception {
    int n = 0;
    try (ZipFile file = ZipFile.builder().setPath(wwz).get()) {
      for (Enumeration<ZipArchiveEntry> e = file.getEntries(); e.hasMoreElements(); e.nextElement()) {
        n++;
      }
    }
    return n;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
