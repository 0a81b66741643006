/** The published-result contract shared by worker and server: Soil's names, TSV and JSON. */
@NullMarked
package io.soilci.result;

import org.jspecify.annotations.NullMarked;
