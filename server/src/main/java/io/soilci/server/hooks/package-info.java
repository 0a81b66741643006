/** Commands the server runs when jobs pass or fail and runs finish, off the upload path. */
@NullMarked
package io.soilci.server.hooks;

import org.jspecify.annotations.NullMarked;
