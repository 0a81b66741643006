/** The server's configuration file: every key known, every value checked at start. */
@NullMarked
package io.soilci.server.config;

import org.jspecify.annotations.NullMarked;
