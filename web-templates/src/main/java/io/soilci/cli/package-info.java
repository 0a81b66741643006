/** What both command lines share: exit statuses and error lines, {@code --verbose}, the version. */
@NullMarked
package io.soilci.cli;

import org.jspecify.annotations.NullMarked;
