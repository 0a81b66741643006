/**
 * The {@code run-job} command: its options made into settings, a workspace opened, the job run and
 * its results published.
 */
@NullMarked
package io.soilci.worker.runjob;

import org.jspecify.annotations.NullMarked;
