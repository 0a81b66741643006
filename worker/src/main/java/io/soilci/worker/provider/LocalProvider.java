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
    String mark = Supervisor.newMark();
    List<String> command = new ArrayList<>(List.of("sh"));
    command.addAll(Supervisor.shArguments(mark));
    try {
      Supervisor supervisor =
          Supervisor.start(
              command,
              spec.checkout(),
              spec.localTaskEnv(),
              mark,
              Supervisor::killArguments,
              Duration.ofSeconds(30));
      // A task runs in its own session, so it would outlive a worker stopped mid-job.
      Thread killOnExit = new Thread(supervisor::killRunningTask);
      Runtime.getRuntime().addShutdownHook(killOnExit);
      return new SupervisedInstance(
          supervisor,
          Map.of(),
          endedCleanly -> Runtime.getRuntime().removeShutdownHook(killOnExit));
    } catch (IOException e) {
      throw new ProviderFailure(
          "cannot run tasks with sh in " + spec.checkout() + ": " + e.getMessage());
    }
  }
}
