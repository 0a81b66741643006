package io.soilci.worker.run;

import io.soilci.result.JobMeta;
import io.soilci.result.JobName;
import io.soilci.result.WorkerHost;
import io.soilci.result.WwzPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds a job's {@code JOB.json} as Soil's {@code collect_json.py} does: first the values Soil
 * keeps as {@code _tmp/soil/KEY.txt} files (ours too), then the CI host's environment variables,
 * {@code null} where unset.
 */
final class JobMetadata {
  /** Our keys, beside Soil's. */
  static final String SOIL_VERSION = "soil-version";

  static final String PROVIDER = "provider";
  static final String IMAGE = "image";
  static final String WORKER_HOST = "worker-host";
  static final String JOB_STATUS = "job-status";

  /** The variables an agent sets for a job it runs ({@code agent.AgentJob}). */
  static final String AGENT_ENV = "SOIL_AGENT";

  static final String COORDINATOR_JOB_ENV = "SOIL_COORDINATOR_JOB";

  private final Map<String, String> files = new LinkedHashMap<>();
  private final Map<String, @Nullable String> environment = new LinkedHashMap<>();

  /** Starts with the job's name and the commit facts. */
  JobMetadata(JobName job, Map<String, String> commit) {
    files.put(JobMeta.JOB_NAME, job.value());
    files.putAll(commit);
  }

  /** Adds a value kept as {@code _tmp/soil/KEY.txt}. */
  JobMetadata put(String key, String value) {
    files.put(key, value);
    return this;
  }

  /** Records {@code host}'s variables from {@code env}, null where unset, as Soil does. */
  JobMetadata hostEnvironment(Optional<WorkerHost> host, Map<String, String> env) {
    host.ifPresent(
        h -> {
          List<String> names = h == WorkerHost.GITHUB ? JobMeta.GITHUB_ENV : JobMeta.SOURCEHUT_ENV;
          names.forEach(name -> environment.put(name, env.get(name)));
          files.put(WORKER_HOST, h.id());
        });
    return this;
  }

  /**
   * Records the coordinator's agent and job id when an agent runs the job: it sets {@code
   * SOIL_AGENT} and {@code SOIL_COORDINATOR_JOB} in the environment it gives {@code run-job}.
   */
  JobMetadata agent(Map<String, String> env) {
    String agent = env.get(AGENT_ENV);
    String job = env.get(COORDINATOR_JOB_ENV);
    if (agent != null && job != null) {
      files.put(JobMeta.AGENT, agent);
      files.put(JobMeta.COORDINATOR_JOB, job);
    }
    return this;
  }

  /** Writes one {@code KEY.txt} per file value into {@code checkout/_tmp/soil/}; returns them. */
  List<Path> writeFiles(Path checkout) throws IOException {
    Path dir = checkout.resolve(WwzPath.META_DIR);
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path file = dir.resolve(e.getKey() + ".txt");
      Files.write(file, (e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
      written.add(file);
    }
    return written;
  }

  JobMeta toMeta() {
    Map<String, @Nullable String> values = new LinkedHashMap<>(files);
    values.putAll(environment);
    return new JobMeta(values);
  }

  /** The CI host the worker runs on, from its environment: GitHub Actions or builds.sr.ht. */
  static Optional<WorkerHost> detectHost(Map<String, String> env) {
    if ("true".equals(env.get("GITHUB_ACTIONS"))) {
      return Optional.of(WorkerHost.GITHUB);
    }
    if (env.containsKey(JobMeta.JOB_ID) && env.containsKey(JobMeta.JOB_URL)) {
      return Optional.of(WorkerHost.SOURCEHUT);
    }
    return Optional.empty();
  }
}
