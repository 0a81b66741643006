package io.soilci.result.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.soilci.result.BadInput;
import io.soilci.result.JobMeta;
import io.soilci.result.JobMetaCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Any bytes read as JOB.json give metadata that survives a round trip, or a BadInput naming it. */
class JobMetaCodecFuzzTest {
  @FuzzTest
  void readsAnyBytesAsMetadataOrAMessageNamingTheFile(byte[] data) throws IOException {
    JobMeta meta;
    try {
      meta = JobMetaCodec.read(new ByteArrayInputStream(data), "JOB.json");
    } catch (BadInput e) {
      assertThat(e.getMessage()).startsWith("JOB.json");
      return;
    }

    JobMeta again = JobMetaCodec.parse(JobMetaCodec.format(meta), "again");

    assertThat(again.values()).isEqualTo(meta.values());
  }
}
