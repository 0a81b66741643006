/**
 * What the parts of the distributed mode that speak to NATS share, below both {@code auth} (the
 * shared worker tokens) and {@code cluster}: opening a JetStream key-value bucket or object store.
 */
@NullMarked
package io.soilci.server.nats;

import org.jspecify.annotations.NullMarked;
