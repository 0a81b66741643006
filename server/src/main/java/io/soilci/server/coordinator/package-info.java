/**
 * The coordinator: runs submitted to the server are queued durably ({@link QueueLog}), handed to
 * pull agents by their labels ({@link Coordinator}) under leases, and their outcomes recorded;
 * passed jobs' input keys let an identical job be reused instead of run (docs/COORDINATOR.md).
 */
@NullMarked
package io.soilci.server.coordinator;

import org.jspecify.annotations.NullMarked;
