package io.soilci.worker.testreport;

import io.soilci.result.TestStatus;

/** Where a report's reader puts each test case it reads. */
interface CaseSink {
  /**
   * One test case.
   *
   * @param seconds its time, or -1 when the report gave none
   * @param line the report's line it came from
   * @throws Unreadable when the job already holds as many test cases as it may
   */
  void add(String suite, String name, TestStatus status, double seconds, String message, int line)
      throws Unreadable;
}
