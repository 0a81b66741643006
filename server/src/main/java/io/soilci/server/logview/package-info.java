/**
 * Logs people can read: terminal colours to HTML, the failure found in a log, and the HTML view of
 * a task's log in windows of lines.
 */
@NullMarked
package io.soilci.server.logview;

import org.jspecify.annotations.NullMarked;
