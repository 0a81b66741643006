/** Small collections the modules share. */
@NullMarked
package io.soilci.collections;

import org.jspecify.annotations.NullMarked;
