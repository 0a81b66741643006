/**
 * The distributed mode (docs/SCALING.md): every committed change published to a NATS JetStream
 * stream ({@link io.soilci.server.cluster.ChangeStream}) and applied by every replica, job files in
 * the shared object store, and the roles one replica holds at a time ({@link
 * io.soilci.server.cluster.HostLeases}).
 */
@NullMarked
package io.soilci.server.cluster;

import org.jspecify.annotations.NullMarked;
