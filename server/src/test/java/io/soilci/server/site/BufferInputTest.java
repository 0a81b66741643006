package io.soilci.server.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BufferInput reads back exactly what {@link DataOutputStream} wrote, and stops at its end. */
class BufferInputTest {
  private static final long[] LONGS = {
    0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L, 0x8081828384858687L, 0xff00ff00L
  };
  private static final int[] INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x80818283};

  @Test
  void everyValueReadsBackAsWrittenWhateverItsHighBits() throws Exception {
    Random random = new Random(29);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    long[] randomLongs = random.longs(1000).toArray();
    int[] randomInts = random.ints(1000).toArray();
    for (long value : LONGS) {
      out.writeLong(value);
    }
    for (long value : randomLongs) {
      out.writeLong(value);
    }
    for (int value : INTS) {
      out.writeInt(value);
    }
    for (int value : randomInts) {
      out.writeInt(value);
    }
    out.writeShort(-2);
    out.writeShort(0x8001);
    out.writeByte(0xfe);
    out.writeBoolean(true);
    out.writeBoolean(false);
    out.writeDouble(-0.0);
    out.writeDouble(Double.NaN);
    out.writeDouble(3.5);
    out.writeFloat(-1.25f);
    out.writeUTF("ünïcode");
    out.write(new byte[] {1, 2, 3});

    byte[] all = bytes.toByteArray();
    BufferInput in = new BufferInput(all, 0, all.length);
    for (long value : LONGS) {
      assertThat(in.readLong()).isEqualTo(value);
    }
    for (long value : randomLongs) {
      assertThat(in.readLong()).isEqualTo(value);
    }
    for (int value : INTS) {
      assertThat(in.readInt()).isEqualTo(value);
    }
    for (int value : randomInts) {
      assertThat(in.readInt()).isEqualTo(value);
    }
    assertThat(in.readShort()).isEqualTo((short) -2);
    assertThat(in.readUnsignedShort()).isEqualTo(0x8001);
    assertThat(in.readUnsignedByte()).isEqualTo(0xfe);
    assertThat(in.readBoolean()).isTrue();
    assertThat(in.readBoolean()).isFalse();
    assertThat(Double.doubleToRawLongBits(in.readDouble()))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(in.readDouble()).isNaN();
    assertThat(in.readDouble()).isEqualTo(3.5);
    assertThat(in.readFloat()).isEqualTo(-1.25f);
    assertThat(in.readUTF()).isEqualTo("ünïcode");
    byte[] tail = new byte[3];
    in.readFully(tail);
    assertThat(tail).containsExactly(1, 2, 3);
    assertThat(in.remaining()).isZero();
  }

  @Test
  void itReadsOnlyItsRangeAndNothingPastItsEnd() throws Exception {
    byte[] all = {9, 0, 0, 0, 7, 1, 2, 9};
    BufferInput in = new BufferInput(all, 1, 7);
    assertThat(in.readInt()).isEqualTo(7);
    assertThat(in.position()).isEqualTo(5);
    // Two bytes are left: a four-byte read fails and takes none of them.
    assertThatThrownBy(in::readInt)
        .isInstanceOf(EOFException.class)
        .hasMessage("the index snapshot ends early");
    assertThat(in.remaining()).isEqualTo(2);
    assertThatThrownBy(in::readLong).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> in.readFully(new byte[3])).isInstanceOf(EOFException.class);
    assertThat(in.skipBytes(5)).isEqualTo(2);
    assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> new BufferInput(all, 4, 9))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
