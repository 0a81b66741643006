/** Where a job's tasks run: local processes or one container per job, behind one interface. */
@NullMarked
package io.soilci.worker.provider;

import org.jspecify.annotations.NullMarked;
