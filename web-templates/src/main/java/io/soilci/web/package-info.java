/** Turns the result model into HTML with Pebble templates; holds the site's CSS and JS. */
@NullMarked
package io.soilci.web;

import org.jspecify.annotations.NullMarked;
