/** The result server's entry point and the wiring of its routes. */
@NullMarked
package io.soilci.server;

import org.jspecify.annotations.NullMarked;
