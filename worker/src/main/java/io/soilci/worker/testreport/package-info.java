/**
 * Test reports a job's tasks declared ({@code --test-reports TASK=GLOB}): found in the checkout,
 * told apart by content (JUnit XML or TAP), read with hard limits into the job's test table.
 */
@NullMarked
package io.soilci.worker.testreport;

import org.jspecify.annotations.NullMarked;
