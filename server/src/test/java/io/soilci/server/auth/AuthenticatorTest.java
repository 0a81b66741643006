package io.soilci.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soilci.result.BadInput;
import io.soilci.server.http.HttpError;
import io.soilci.server.state.StateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
  @TempDir Path state;

  private WorkerStore store;
  private Authenticator auth;
  private String secret;

  @BeforeEach
  void addWorker() throws IOException {
    store = new WorkerStore(new StateLayout(state), 1000);
    secret = store.add(new Worker("gh-runner", Set.of(Scope.GITHUB_JOBS)), false);
    auth = new Authenticator(store);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsBasicCredentials() throws IOException {
    Worker worker = auth.authorize(basic("gh-runner", secret), Scope.GITHUB_JOBS);

    assertThat(worker.name()).isEqualTo("gh-runner");
  }

  @Test
  void acceptsABearerToken() throws IOException {
    Worker worker = auth.authenticate("Bearer gh-runner:" + secret);

    assertThat(worker.scopes()).containsExactly(Scope.GITHUB_JOBS);
  }

  @Test
  void rejectsAWrongSecretWith401() {
    assertThatThrownBy(() -> auth.authenticate(basic("gh-runner", secret + "x")))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(401))
        .hasMessage("worker token not recognized");
  }

  @Test
  void rejectsAnUnknownWorkerWith401() {
    assertThatThrownBy(() -> auth.authenticate("Bearer nobody:" + secret))
        .hasMessage("worker token not recognized");
  }

  @Test
  void rejectsMissingCredentialsWithoutAChallenge() {
    assertThatThrownBy(() -> auth.authenticate(null))
        .isInstanceOfSatisfying(
            HttpError.class, e -> assertThat(e.headers()).doesNotContainKey("WWW-Authenticate"))
        .hasMessageStartingWith("a worker token is required");
  }

  @Test
  void anUnknownNameCostsTheSameKdfAsAWrongSecret() throws IOException {
    WorkerStore slow = new WorkerStore(new StateLayout(state.resolve("slow")), 100_000);
    String right = slow.add(new Worker("known", Set.of(Scope.GITHUB_JOBS)), false);
    Authenticator slowAuth = new Authenticator(slow);

    long wrongSecret = medianNanos(() -> slowAuth.authenticate("Bearer known:" + right + "x"));
    long unknownName = medianNanos(() -> slowAuth.authenticate("Bearer unknown:" + right));

    // Same iterations, same code: within 3x either way even on a busy machine (it was ~100x).
    assertThat((double) unknownName / wrongSecret).isBetween(1 / 3.0, 3.0);
  }

  private interface Attempt {
    void run() throws IOException;
  }

  private static long medianNanos(Attempt attempt) {
    long[] nanos = new long[7];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      assertThatThrownBy(attempt::run).hasMessage("worker token not recognized");
      nanos[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(nanos);
    return nanos[nanos.length / 2];
  }

  @Test
  void rejectsAScopeTheWorkerLacksWith403() {
    assertThatThrownBy(() -> auth.authorize("Bearer gh-runner:" + secret, Scope.STATUS_API))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage("worker 'gh-runner' may not write 'status-api'");
  }

  @Test
  void storesOnlyAHashOfTheSecret() throws IOException {
    String stored = Files.readString(state.resolve("workers.json"));

    assertThat(stored).contains("gh-runner").doesNotContain(secret);
  }

  @Test
  void refusesToReplaceAWorkerUnlessAsked() throws IOException {
    Worker again = new Worker("gh-runner", Set.of(Scope.STATUS_API));

    assertThatThrownBy(() -> store.add(again, false))
        .isInstanceOf(BadInput.class)
        .hasMessage("worker 'gh-runner' exists; use --replace to give it a new token");
    String replaced = store.add(again, true);
    assertThat(new Authenticator(store).authenticate("Bearer gh-runner:" + replaced).scopes())
        .containsExactly(Scope.STATUS_API);
  }

  @Test
  void seesWorkersAddedAfterItStarted() throws IOException {
    String other =
        new WorkerStore(new StateLayout(state), 1000)
            .add(new Worker("srht", Set.of(Scope.SOURCEHUT_JOBS)), false);

    assertThat(auth.authenticate("Bearer srht:" + other).name()).isEqualTo("srht");
  }

  @Test
  void keepsEveryWorkerAddedInQuickSuccession() throws IOException {
    java.util.Map<String, String> secrets = new java.util.HashMap<>();
    for (int i = 0; i < 20; i++) {
      secrets.put("w" + i, store.add(new Worker("w" + i, Set.of(Scope.STATUS_API)), false));
    }

    Authenticator fresh = new Authenticator(new WorkerStore(new StateLayout(state), 1000));

    for (var e : secrets.entrySet()) {
      assertThat(fresh.authenticate("Bearer " + e.getKey() + ":" + e.getValue()).name())
          .isEqualTo(e.getKey());
    }
  }
}
