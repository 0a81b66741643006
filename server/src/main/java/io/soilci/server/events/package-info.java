/** Job and task events from workers: start, task-start, task-done, done. */
@NullMarked
package io.soilci.server.events;

import org.jspecify.annotations.NullMarked;
