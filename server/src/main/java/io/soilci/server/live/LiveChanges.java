package io.soilci.server.live;

import io.soilci.result.JobRef;
import io.soilci.result.TaskName;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a worker's requests change in the live logs: on one box {@link LiveLogs} itself, applied at
 * once; in the distributed mode published to every replica, each of which applies them to its own
 * {@link LiveLogs} in the same order. A change that could not be published throws a 503 {@link
 * io.soilci.server.http.HttpError} (send it again).
 */
public interface LiveChanges {
  /** {@code worker} sent the job's start event: the job's live log is its alone. */
  void started(JobRef job, String worker);

  /**
   * The worker the job's live log belongs to (its start event's, else its first chunk's), while
   * this server keeps it: until the job's done event, or a restart.
   */
  Optional<String> owner(JobRef job);

  /**
   * Appends {@code worker}'s chunk (at most {@link LiveLogs#MAX_CHUNK_BYTES}) to the task's log;
   * returns the task's new end offset. 403 if another worker started the job. When the worker says
   * where the chunk begins in its log ({@code sent}, soil-worker's {@code offset}), the bytes the
   * tail holds already are not appended again: a chunk sent twice (a retry after a lost answer, or
   * by a proxy) is kept once.
   */
  long append(JobRef job, TaskName task, String worker, OptionalLong sent, byte[] chunk);

  /**
   * Appends a chunk whose worker does not say where it begins (a client without {@code offset}).
   */
  default long append(JobRef job, TaskName task, String worker, byte[] chunk) {
    return append(job, task, worker, OptionalLong.empty(), chunk);
  }

  /** The task ended (its task-done event) with {@code status}. */
  void taskEnded(JobRef job, TaskName task, int status);

  /** The job is done (its done event) with {@code status}: its live logs go. */
  void drop(JobRef job, int status);
}
