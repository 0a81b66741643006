/**
 * Receiving a job's files: streaming multipart parsing, validation, and atomic commit under the
 * site root.
 */
@NullMarked
package io.soilci.server.upload;

import org.jspecify.annotations.NullMarked;
