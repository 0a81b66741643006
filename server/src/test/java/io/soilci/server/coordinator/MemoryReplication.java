package io.soilci.server.coordinator;

import io.soilci.threads.Daemons;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The queue's stream in memory, for one replica in one JVM: messages applied in order on a feed
 * thread of their own, as {@code QueueStream} applies nats-server's. A test may hold one thread's
 * next wait for its proposal ({@link #holdNextAwaitOf}) until one more message is applied after it,
 * as when that thread is slow to wake up.
 */
final class MemoryReplication implements QueueReplication {
  private final List<byte[]> messages = new ArrayList<>();
  private long applied;
  private @Nullable Thread held;
  private boolean closed;

  @Override
  public synchronized long publish(String id, byte[] message) {
    messages.add(message);
    notifyAll();
    return messages.size();
  }

  @Override
  public long maxMessageBytes() {
    return 1 << 20;
  }

  @Override
  public void publishSnapshot(String id, byte[] message, long madeAt) throws IOException {
    throw new IOException("no snapshots in memory");
  }

  @Override
  public void publishSnapshotObject(
      String name, byte[] snapshot, byte[] pointer, long madeAt, @Nullable String previous)
      throws IOException {
    throw new IOException("no snapshots in memory");
  }

  @Override
  public Optional<byte[]> readSnapshotObject(String name) {
    return Optional.empty();
  }

  /**
   * {@code thread}'s next {@link #awaitApplied} returns once a message after its own is applied.
   */
  synchronized void holdNextAwaitOf(Thread thread) {
    held = thread;
  }

  @Override
  public synchronized boolean awaitApplied(long sequence, Duration timeout)
      throws InterruptedException {
    long until = sequence;
    if (Thread.currentThread() == held) {
      held = null;
      until = sequence + 1;
    }
    long end = System.nanoTime() + timeout.toNanos();
    while (applied < until && System.nanoTime() < end) {
      wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
    }
    return applied >= sequence;
  }

  @Override
  public synchronized void awaitCaughtUp() throws IOException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try {
      while (applied < messages.size() && System.nanoTime() < end) {
        wait(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (applied < messages.size()) {
      throw new IOException("not caught up");
    }
  }

  @Override
  public void start(Applier applier) {
    Daemons.start(
        "memory-queue-feed",
        () -> {
          while (true) {
            byte[] next;
            long sequence;
            synchronized (this) {
              while (!closed && applied == messages.size()) {
                try {
                  wait();
                } catch (InterruptedException e) {
                  return;
                }
              }
              if (closed) {
                return;
              }
              sequence = applied + 1;
              next = messages.get((int) applied);
            }
            applier.apply(sequence, next);
            synchronized (this) {
              applied = sequence;
              notifyAll();
            }
          }
        });
  }

  @Override
  public boolean expiresLeases() {
    return true;
  }

  @Override
  public String origin() {
    return "memory";
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
