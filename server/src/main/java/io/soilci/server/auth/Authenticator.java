package io.soilci.server.auth;

import io.soilci.collections.Lru;
import io.soilci.result.WorkerHost;
import io.soilci.server.http.HttpError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Checks an {@code Authorization} header: HTTP Basic (user = worker name, password = secret) or
 * {@code Bearer NAME:SECRET}. A verified token is remembered (at most 1024 of them, 15 minutes) so
 * the slow KDF is not paid on every request; any change to the worker store forgets them all at
 * once. An unknown name costs the same KDF as a known one. Failed logins are limited per client
 * address and per worker name (429), and at most {@link #PARALLEL_KDF} KDFs run at once, so wrong
 * secrets cannot take the server's cores.
 */
public final class Authenticator {
  static final int PARALLEL_KDF = 2;
  private static final int CACHE_SIZE = 1024;
  private static final long CACHE_NANOS = 15 * 60 * 1_000_000_000L;

  private final Workers store;
  private final SecretHash dummy;
  private final FailureLimit byAddress;
  private final FailureLimit byName;
  private final Semaphore kdf = new Semaphore(PARALLEL_KDF, true);
  private final Map<String, Verified> cache = Lru.map(CACHE_SIZE);

  private record Verified(Worker worker, long expires, String storeVersion) {}

  /** A name and secret as a request gave them. */
  record Credentials(String name, String secret) {}

  /** With failed-login limits: {@code perAddress} and {@code perName} failures per window. */
  public Authenticator(Workers store, int perAddress, int perName, long windowSeconds) {
    this.store = store;
    // Same iterations as a stored secret, so an unknown name takes as long as a wrong secret; no
    // KDF is run to make it (that cost a start up to a second).
    this.dummy = SecretHash.unmatchable(store.iterations());
    this.byAddress = new FailureLimit("from address", perAddress, windowSeconds, System::nanoTime);
    this.byName = new FailureLimit("for worker name", perName, windowSeconds, System::nanoTime);
  }

  public Authenticator(Workers store) {
    this(store, Integer.MAX_VALUE, Integer.MAX_VALUE, 60);
  }

  /** The worker the header names, or 401 (no failure limit: for requests already admitted). */
  public Worker authenticate(@Nullable String header) throws IOException {
    Credentials credentials = require(header);
    Optional<Worker> hit = cached(credentials);
    return hit.isPresent() ? hit.get() : verify(credentials);
  }

  /**
   * The worker the header names, counting a failure against {@code address} and the name: 401, or
   * 429 with {@code Retry-After} once either failed too often. A cached token skips the limits.
   */
  public Worker authenticate(@Nullable String header, String address) throws IOException {
    Credentials credentials = require(header);
    Optional<Worker> hit = cached(credentials);
    if (hit.isPresent()) {
      return hit.get();
    }
    byAddress.requireAllowed(address);
    byName.requireAllowed(credentials.name());
    try {
      return verify(credentials);
    } catch (HttpError e) {
      byAddress.failed(address);
      byName.failed(credentials.name());
      throw e;
    }
  }

  /** The worker the header names if it may write {@code scope}; else 401 or 403. */
  public Worker authorize(@Nullable String header, Scope scope) throws IOException {
    Worker worker = authenticate(header);
    if (!worker.may(scope)) {
      throw HttpError.forbidden(
          "worker '" + worker.name() + "' may not write '" + scope.folder() + "'");
    }
    return worker;
  }

  /**
   * The worker the header names if it may write {@code host}'s jobs, replacing them ({@link
   * Scope#of}) or only adding new ones ({@link Scope#addOnly}); else 401 or 403.
   */
  public Worker authorizeJobs(@Nullable String header, WorkerHost host) throws IOException {
    Worker worker = authenticate(header);
    if (!worker.may(Scope.of(host)) && !worker.may(Scope.addOnly(host))) {
      throw HttpError.forbidden(
          "worker '" + worker.name() + "' may not write '" + Scope.of(host).folder() + "'");
    }
    return worker;
  }

  /** The worker of a token verified before (and not changed in the store since), if any. */
  Optional<Worker> cached(Credentials credentials) throws IOException {
    String key = SecretHash.digest(credentials.name(), credentials.secret());
    // A token replaced or removed since it was verified must not keep working from the cache.
    String storeVersion = store.version();
    synchronized (cache) {
      Verified hit = cache.get(key);
      if (hit != null
          && hit.expires() - System.nanoTime() > 0
          && hit.storeVersion().equals(storeVersion)) {
        return Optional.of(hit.worker());
      }
    }
    return Optional.empty();
  }

  private Worker verify(Credentials credentials) throws IOException {
    String storeVersion = store.version();
    Optional<WorkerStore.Entry> entry = store.find(credentials.name());
    // Pay the KDF even for an unknown name, so timing does not tell names apart.
    SecretHash hash = entry.map(WorkerStore.Entry::secret).orElse(dummy);
    boolean matches = matches(hash, credentials.secret());
    if (entry.isEmpty() || !matches) {
      throw HttpError.unauthorized("worker token not recognized");
    }
    Worker worker = entry.get().worker();
    synchronized (cache) {
      cache.put(
          SecretHash.digest(credentials.name(), credentials.secret()),
          new Verified(worker, System.nanoTime() + CACHE_NANOS, storeVersion));
    }
    return worker;
  }

  private boolean matches(SecretHash hash, String secret) {
    try {
      if (!kdf.tryAcquire(30, TimeUnit.SECONDS)) {
        throw HttpError.busy("too many credential checks at once; retry in 5 seconds", 5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HttpError.busy("interrupted while checking credentials; retry in 5 seconds", 5);
    }
    try {
      return hash.matches(secret);
    } finally {
      kdf.release();
    }
  }

  /** The header's credentials, or 401 naming the two accepted forms. */
  static Credentials require(@Nullable String header) {
    return parse(header)
        .orElseThrow(
            () ->
                HttpError.unauthorized(
                    "a worker token is required: HTTP Basic (worker name, secret) or"
                        + " 'Authorization: Bearer NAME:SECRET'"));
  }

  private static Optional<Credentials> parse(@Nullable String header) {
    if (header == null) {
      return Optional.empty();
    }
    String pair;
    if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        pair =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    } else if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      pair = header.substring(7).trim();
    } else {
      return Optional.empty();
    }
    int colon = pair.indexOf(':');
    if (colon < 1 || colon == pair.length() - 1 || pair.length() > 512) {
      return Optional.empty();
    }
    return Optional.of(new Credentials(pair.substring(0, colon), pair.substring(colon + 1)));
  }
}
