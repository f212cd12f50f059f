package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

class ReductionsTest extends SparkTestBase {

  @Test
  void followsSparksTreeShapeAtDepthTwo() {
    for (int p = 1; p <= 5; p++) {
      assertFalse(Reductions.hasIntermediateLevel(p, 2), p + " partitions");
    }
    // ceil(sqrt(6)) = 3 and 6 > 3 + 2: Spark adds a level from 6 partitions on.
    assertTrue(Reductions.hasIntermediateLevel(6, 2));
    assertTrue(Reductions.hasIntermediateLevel(200, 2));
    assertFalse(Reductions.hasIntermediateLevel(200, 1));
  }

  @Test
  void sumsEveryPartitionOnceWithAndWithoutATree() {
    for (int partitions : new int[] {1, 3, 8, 20}) {
      List<Long> values = new ArrayList<>();
      for (long i = 1; i <= 100; i++) {
        values.add(i);
      }
      JavaRDD<Long> rdd = jsc().parallelize(values, partitions);
      assertEquals(5050L, Reductions.treeReduce(rdd, Long::sum, 2), partitions + " partitions");
    }
  }
}
