/** Durable file writes: temp file in the target folder, fsync, rename, fsync the folder. */
@NullMarked
package io.soilci.server.storage;

import org.jspecify.annotations.NullMarked;
