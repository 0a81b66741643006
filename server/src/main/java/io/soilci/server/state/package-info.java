/**
 * The server's state folder ({@code --state}): what the server keeps between starts that is not
 * part of the site, and where each part of it lives.
 */
@NullMarked
package io.soilci.server.state;

import org.jspecify.annotations.NullMarked;
