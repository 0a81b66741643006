/**
 * Workspaces: repositories cloned on the host with its credentials, a setup script run once, the
 * prepared state cached and copied into a separate instance per job, reset after each job.
 */
@NullMarked
package io.soilci.worker.workspace;

import org.jspecify.annotations.NullMarked;
