/**
 * Worker tokens: stored hashed with PBKDF2, checked in constant time, scoped to the site folders a
 * worker may write.
 */
@NullMarked
package io.soilci.server.auth;

import org.jspecify.annotations.NullMarked;
