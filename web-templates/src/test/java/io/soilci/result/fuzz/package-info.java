/** Jazzer fuzz targets for the readers of untrusted job files: TSV, JSON, wwz entry paths. */
@NullMarked
package io.soilci.result.fuzz;

import org.jspecify.annotations.NullMarked;
