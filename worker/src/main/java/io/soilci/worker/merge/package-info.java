/** maybe-merge: wait for a run's jobs on the status API, fast-forward a branch when all passed. */
@NullMarked
package io.soilci.worker.merge;

import org.jspecify.annotations.NullMarked;
