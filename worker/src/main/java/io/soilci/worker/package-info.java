/** The worker's entry point: a root command whose subcommands do the work. */
@NullMarked
package io.soilci.worker;

import org.jspecify.annotations.NullMarked;
