package io.soilci.worker.runjob;

import io.soilci.threads.Daemons;
import io.soilci.worker.run.Cancellation;
import io.soilci.worker.run.StopSignal;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * SIGTERM and SIGINT (a cancelled CI run) cancel the job instead of ending the JVM at once: the
 * running task is killed, what ran is packaged and published as cancelled, and the worker exits
 * with 128 + the signal's number. If that takes longer than {@link #DEADLINE} (GitHub Actions sends
 * SIGKILL 10 s after its SIGINT), the worker exits anyway with that status.
 *
 * <p>The JDK's only signal API is {@code sun.misc.Signal} (module {@code jdk.unsupported}, exported
 * to every module); it is reached by reflection because javac warns on every mention of it and the
 * build fails on warnings. Where it is missing, the JVM's own handling stays: the worker stops at
 * once and the server's lease ends the job as lost.
 */
public final class StopSignals implements AutoCloseable {
  /** From the first signal to the worker's exit, at most. */
  static final Duration DEADLINE = Duration.ofSeconds(7);

  private final Map<StopSignal, Object> previous = new EnumMap<>(StopSignal.class);
  private final @Nullable Method handle;
  private final @Nullable Constructor<?> signal;

  private StopSignals(@Nullable Method handle, @Nullable Constructor<?> signal) {
    this.handle = handle;
    this.signal = signal;
  }

  /** Leaves the signals alone: for a job cancelled by other means (an agent's). */
  static StopSignals none() {
    return new StopSignals(null, null);
  }

  /** Handles SIGTERM and SIGINT by cancelling {@code job} until {@link #close()}. */
  static StopSignals install(Cancellation job, PrintWriter err) {
    return handle(stop -> cancel(job, stop, err), err);
  }

  /**
   * Handles SIGTERM and SIGINT with {@code onSignal} (on the signal's own thread) until {@link
   * #close()}; where the JVM offers no signal API, says so on {@code err} and leaves them alone.
   */
  public static StopSignals handle(Consumer<StopSignal> onSignal, PrintWriter err) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      StopSignals signals =
          new StopSignals(
              signalClass.getMethod("handle", signalClass, handlerClass),
              signalClass.getConstructor(String.class));
      for (StopSignal stop : StopSignal.values()) {
        Object handler =
            Proxy.newProxyInstance(
                StopSignals.class.getClassLoader(),
                new Class<?>[] {handlerClass},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "handle" -> {
                        onSignal.accept(stop);
                        yield null;
                      }
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> args != null && proxy == args[0];
                      default -> "soil-worker's handler of " + stop.signalName();
                    });
        signals.previous.put(stop, signals.set(stop, handler));
      }
      return signals;
    } catch (ReflectiveOperationException | RuntimeException e) {
      err.println(
          "soil-worker: cannot handle SIGTERM and SIGINT ("
              + e
              + "); a signal stops it at once, and the server ends its jobs as lost");
      err.flush();
      return new StopSignals(null, null);
    }
  }

  private static void cancel(Cancellation job, StopSignal stop, PrintWriter err) {
    if (!job.cancel(stop)) {
      return;
    }
    err.println(
        "soil-worker: "
            + stop.signalName()
            + ": cancelling the job: its running task is killed, what ran is published as"
            + " cancelled; exit "
            + stop.exitStatus()
            + " within "
            + DEADLINE.toSeconds()
            + " s");
    err.flush();
    Daemons.start(
        "soil-cancel-deadline",
        () -> {
          try {
            Thread.sleep(DEADLINE.toMillis());
          } catch (InterruptedException e) {
            return;
          }
          err.println(
              "soil-worker: the cancelled job was not published within "
                  + DEADLINE.toSeconds()
                  + " s of "
                  + stop.signalName()
                  + "; exiting without it (the server ends it as lost when its lease runs"
                  + " out)");
          err.flush();
          System.exit(stop.exitStatus());
        });
  }

  private Object set(StopSignal stop, Object handler) throws ReflectiveOperationException {
    Method method = java.util.Objects.requireNonNull(handle);
    Constructor<?> make = java.util.Objects.requireNonNull(signal);
    return java.util.Objects.requireNonNull(
        method.invoke(null, make.newInstance(stop.name()), handler));
  }

  /** Gives the signals back to the JVM's own handling. */
  @Override
  public void close() {
    for (Map.Entry<StopSignal, Object> e : previous.entrySet()) {
      try {
        set(e.getKey(), e.getValue());
      } catch (ReflectiveOperationException | RuntimeException ex) {
        // The JVM is exiting or the API is gone; the old handler no longer matters.
      }
    }
  }
}
