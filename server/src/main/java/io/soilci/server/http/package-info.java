/**
 * Plumbing every route shares: errors mapped to statuses, access log, metrics, bounded body
 * draining.
 */
@NullMarked
package io.soilci.server.http;

import org.jspecify.annotations.NullMarked;
