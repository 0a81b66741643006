/**
 * Durable file writes shared by worker and server: temp file in the target folder, fsync, rename,
 * fsync the folder.
 */
@NullMarked
package io.soilci.files;

import org.jspecify.annotations.NullMarked;
