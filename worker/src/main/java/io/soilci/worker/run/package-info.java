/** Running a job: the task list, one task after another, logs, and the job's three files. */
@NullMarked
package io.soilci.worker.run;

import org.jspecify.annotations.NullMarked;
