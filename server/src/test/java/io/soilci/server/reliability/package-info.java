/** System-level evidence: hostile input, crashes under load, disk full, fuzzing of the server. */
@NullMarked
package io.soilci.server.reliability;

import org.jspecify.annotations.NullMarked;
