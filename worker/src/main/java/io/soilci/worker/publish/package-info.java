/** Getting a job's results to the server: HTTP uploads with retries, SSH/SFTP, live events. */
@NullMarked
package io.soilci.worker.publish;

import org.jspecify.annotations.NullMarked;
