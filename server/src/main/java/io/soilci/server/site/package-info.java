/** The static site: the in-memory index of runs and jobs, and the pages rendered from it. */
@NullMarked
package io.soilci.server.site;

import org.jspecify.annotations.NullMarked;
