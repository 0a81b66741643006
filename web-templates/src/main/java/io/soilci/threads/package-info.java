/** Threads shared by worker and server: daemon threads named for what they do. */
@NullMarked
package io.soilci.threads;

import org.jspecify.annotations.NullMarked;
