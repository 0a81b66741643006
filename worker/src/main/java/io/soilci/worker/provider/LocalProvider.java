package io.soilci.worker.provider;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs tasks as processes in the checkout, with the worker's environment minus credentials (see
 * {@link TaskEnvironment}). Needs {@code sh} and {@code setsid} on the PATH.
 */
final class LocalProvider implements Provider {
  static final String NAME = "local";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Instance start(InstanceSpec spec) {
    try {
      Supervisor supervisor = supervisor(spec);
      SupervisedInstance[] instance = new SupervisedInstance[1];
      // A task runs in its own session, so it would outlive a worker stopped mid-job.
      Thread killOnExit = new Thread(() -> instance[0].killRunningTask());
      instance[0] =
          new SupervisedInstance(
              supervisor,
              () -> supervisor(spec),
              Map.of(),
              endedCleanly -> Runtime.getRuntime().removeShutdownHook(killOnExit));
      Runtime.getRuntime().addShutdownHook(killOnExit);
      return instance[0];
    } catch (IOException e) {
      throw new ProviderFailure(
          "cannot run tasks with sh in " + spec.checkout() + ": " + e.getMessage());
    }
  }

  /** {@code sh -c SUPERVISOR} in the checkout. */
  private static Supervisor supervisor(InstanceSpec spec) throws IOException {
    String mark = Supervisor.newMark();
    List<String> command = new ArrayList<>(List.of("sh"));
    command.addAll(Supervisor.shArguments(mark));
    return Supervisor.start(
        command,
        spec.checkout(),
        spec.localTaskEnv(),
        mark,
        Supervisor::killArguments,
        Duration.ofSeconds(30));
  }
}
