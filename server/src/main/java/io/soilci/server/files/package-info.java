/** Serving the site's plain files; never temp files, hidden files or anything outside the root. */
@NullMarked
package io.soilci.server.files;

import org.jspecify.annotations.NullMarked;
