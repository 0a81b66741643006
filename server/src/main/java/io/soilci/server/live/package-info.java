/** Live logs: the running tasks' log tails the workers send, kept in memory and served as text. */
@NullMarked
package io.soilci.server.live;

import org.jspecify.annotations.NullMarked;
