/**
 * {@code soil-worker agent} and {@code submit}: the worker's side of the server's coordinator. An
 * agent long-polls for jobs that match its labels, checks out each job's commit, runs it with
 * {@code run-job}'s machinery in this process (providers, workspaces, live events, publishing),
 * renews its lease while it runs and reports the outcome (docs/COORDINATOR.md).
 */
@NullMarked
package io.soilci.worker.agent;

import org.jspecify.annotations.NullMarked;
