package io.spindle.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.agent.AgentInstaller;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The seed writer against Jazzer's own FuzzedDataProvider, which the fuzz targets read with. */
class SeedWriterTest {

  @BeforeAll
  static void loadJazzerRuntime() {
    AgentInstaller.install(false); // FuzzedDataProviderImpl lives in Jazzer's bootstrap jar
  }

  @Test
  void everyValueOfManyRangesReadsBack() {
    int[][] ranges = {{0, 1}, {0, 2}, {0, 3}, {0, 40}, {0, 255}, {0, 256}, {1, 16}, {1, 65535},
        {-2, 2}, {-5, -1}, {-300, 300}, {-1000, 7}, {7, 100000}, {0, 16384},
        {Integer.MIN_VALUE, -1}, {0, Integer.MAX_VALUE}, {-7, Integer.MAX_VALUE}};
    Random random = new Random(7);
    for (int[] r : ranges) {
      long[] values = new long[40];
      for (int i = 0; i < values.length; i++) {
        values[i] = i < 3 ? (i == 0 ? r[0] : i == 1 ? r[1] : Math.max(r[0], Math.min(r[1], 0)))
            : r[0] + (long) (random.nextDouble() * ((long) r[1] - r[0] + 1));
      }
      SeedWriter w = new SeedWriter();
      for (long v : values) {
        w.intInRange(r[0], r[1], (int) v);
      }
      try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(w.toBytes())) {
        for (long v : values) {
          assertEquals(v, d.consumeInt(r[0], r[1]), "range [" + r[0] + ", " + r[1] + "]");
        }
        assertEquals(0, d.remainingBytes());
      }
    }
  }

  @Test
  void valuesTheProviderCannotReturnAreRefused() {
    // Two bytes give raw numbers up to 65535, returned as they are when inside the range.
    assertThrows(IllegalArgumentException.class, () -> new SeedWriter().intInRange(1, 65536, 65536));
    for (int raw = 0; raw < 65536; raw++) {
      try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(
          new byte[] {(byte) (raw >> 8), (byte) raw})) {
        assertNotEquals(65536, d.consumeInt(1, 65536));
      }
    }
  }

  @Test
  void bytesFromTheFrontAndNumbersFromTheBackInterleave() {
    byte[] a = {1, 2, 3};
    byte[] b = {(byte) 0xff, 0, 0x7f, 9};
    byte[] seed = new SeedWriter().bool(true).anyInt(-123456789).sizedBytes(10, a)
        .longInRange(-5, 1L << 40, 1L << 39).bool(false).bytes(b).intInRange(0, 3, 2).toBytes();
    try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(seed)) {
      assertEquals(true, d.consumeBoolean());
      assertEquals(-123456789, d.consumeInt());
      assertArrayEquals(a, d.consumeBytes(d.consumeInt(0, 10)));
      assertEquals(1L << 39, d.consumeLong(-5, 1L << 40));
      assertEquals(false, d.consumeBoolean());
      assertArrayEquals(b, d.consumeBytes(4));
      assertEquals(2, d.consumeInt(0, 3));
      assertEquals(0, d.remainingBytes());
    }
  }
}
