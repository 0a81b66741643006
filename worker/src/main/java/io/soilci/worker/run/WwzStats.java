package io.soilci.worker.run;

/** What packaging a wwz took: entries, bytes in and out, wall seconds. */
record WwzStats(int files, long inputBytes, long zipBytes, double seconds) {}
