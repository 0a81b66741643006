package io.soilci.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImagePullTest {
  @Test
  void formatsThePullTimeAsTimeDashP() {
    String times = "0m0.010000s 0m0.000000s\n1m1.250000s 0m0.800000s\n";

    assertThat(ImagePull.format(19.987, times)).isEqualTo("real 19.99\nuser 61.25\nsys 0.80");
  }

  @Test
  void readsBusyboxsShorterTimesToo() {
    assertThat(ImagePull.format(0.5, "0m0.000s 0m0.000s\n0m0.020s 0m0.010s"))
        .isEqualTo("real 0.50\nuser 0.02\nsys 0.01");
  }
}
