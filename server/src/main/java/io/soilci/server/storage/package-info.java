/**
 * Where the site's files are kept for replicas to share: one interface over a local folder and
 * S3-compatible object storage, keys being site paths.
 */
@NullMarked
package io.soilci.server.storage;

import org.jspecify.annotations.NullMarked;
