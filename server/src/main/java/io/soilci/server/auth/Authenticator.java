package io.soilci.server.auth;

import io.soilci.server.http.HttpError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Checks an {@code Authorization} header: HTTP Basic (user = worker name, password = secret) or
 * {@code Bearer NAME:SECRET}. A verified token is remembered for a minute (at most 1024 of them) so
 * the slow KDF is not paid on every request; a change to the worker store forgets them all.
 */
public final class Authenticator {
  private static final int CACHE_SIZE = 1024;
  private static final long CACHE_NANOS = 60_000_000_000L;
  private static final SecretHash DUMMY = SecretHash.of("no such worker", 1000);

  private final WorkerStore store;
  private final Map<String, Verified> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private record Verified(Worker worker, long expires, String storeVersion) {}

  private record Credentials(String name, String secret) {}

  public Authenticator(WorkerStore store) {
    this.store = store;
  }

  /** The worker the header names, or 401. */
  public Worker authenticate(@Nullable String header) throws IOException {
    Credentials credentials =
        parse(header)
            .orElseThrow(
                () ->
                    HttpError.unauthorized(
                        "a worker token is required: HTTP Basic (worker name, secret) or"
                            + " 'Authorization: Bearer NAME:SECRET'"));
    String key = SecretHash.digest(credentials.name(), credentials.secret());
    // A token replaced or removed since it was verified must not keep working from the cache.
    String storeVersion = store.version();
    synchronized (cache) {
      Verified hit = cache.get(key);
      if (hit != null
          && hit.expires() - System.nanoTime() > 0
          && hit.storeVersion().equals(storeVersion)) {
        return hit.worker();
      }
    }
    Worker worker = verify(credentials);
    synchronized (cache) {
      cache.put(key, new Verified(worker, System.nanoTime() + CACHE_NANOS, storeVersion));
    }
    return worker;
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

  private Worker verify(Credentials credentials) throws IOException {
    Optional<WorkerStore.Entry> entry = store.find(credentials.name());
    // Pay the KDF even for an unknown name, so timing does not tell names apart.
    SecretHash hash = entry.map(WorkerStore.Entry::secret).orElse(DUMMY);
    boolean matches = hash.matches(credentials.secret());
    if (entry.isEmpty() || !matches) {
      throw HttpError.unauthorized("worker token not recognized");
    }
    return entry.get().worker();
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
