/** Serving files out of a job's zip without extracting it, and listings of its folders. */
@NullMarked
package io.soilci.server.wwz;

import org.jspecify.annotations.NullMarked;
