package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.spindle.train.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

class OrderedTreeSumTest extends SparkTestBase {

  static final int LENGTH = 2000;

  /** Partition i's partial: floats over eight orders of magnitude, so sums depend on order. */
  static float[] partial(int partition) {
    SplittableRandom rng = new SplittableRandom(1000 + partition);
    float[] g = new float[LENGTH];
    for (int j = 0; j < LENGTH; j++) {
      g[j] = (float) (rng.nextDouble(-1, 1) * Math.pow(10, rng.nextInt(8)));
    }
    return g;
  }

  /**
   * The ordered sum over {@code partitions} partials whose tasks sleep a random time (seeded by
   * {@code delaySeed}), so tasks finish in a different order on every call.
   */
  GradientPartial sum(int partitions, int depth, long delaySeed, boolean withEmpty) {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      slots.add(i);
    }
    JavaRDD<GradientPartial> partials = jsc().parallelize(slots, partitions).map(i -> {
      Thread.sleep(new SplittableRandom(delaySeed * 31 + i).nextInt(25));
      Metrics m = new Metrics().add(i * 0.1, i, i + 1);
      boolean empty = withEmpty && i % 3 == 1;
      return new GradientPartial(empty ? null : partial(i), m);
    });
    return OrderedTreeSum.sum(partials, depth);
  }

  @Test
  void theSumHasTheSameBitsWhateverOrderTasksFinishIn() {
    for (int partitions : new int[] {3, 5, 8, 13}) {
      for (int depth : new int[] {1, 2, 3}) {
        float[] first = sum(partitions, depth, 1, false).grad;
        for (long delays = 2; delays <= 4; delays++) {
          float[] again = sum(partitions, depth, delays, false).grad;
          assertArrayEquals(bits(first), bits(again), partitions + " partitions, depth " + depth
              + ", delay pattern " + delays);
        }
      }
    }
  }

  @Test
  void thesePartialsGiveDifferentSumsInDifferentOrders() {
    // Without this the test above could not fail: the data must be order-sensitive.
    float[] forward = new float[LENGTH];
    float[] backward = new float[LENGTH];
    for (int i = 0; i < 5; i++) {
      add(forward, partial(i));
      add(backward, partial(4 - i));
    }
    assertFalse(Arrays.equals(bits(forward), bits(backward)));
  }

  @Test
  void everyPartitionIsAddedExactlyOnce() {
    for (int partitions : new int[] {1, 2, 7, 16}) {
      for (int depth : new int[] {1, 2, 4}) {
        GradientPartial total = sum(partitions, depth, 7, true);
        // Metrics are integers here: exact whatever the order.
        long expectedCount = (long) partitions * (partitions + 1) / 2;
        assertEquals(expectedCount, total.metrics.count, partitions + "/" + depth);
        assertEquals(expectedCount - partitions, total.metrics.correct, partitions + "/" + depth);
        // The gradient equals the sum in double precision up to float rounding of the terms.
        double[] exact = new double[LENGTH];
        for (int i = 0; i < partitions; i++) {
          if (i % 3 != 1) {
            float[] p = partial(i);
            for (int j = 0; j < LENGTH; j++) {
              exact[j] += p[j];
            }
          }
        }
        for (int j = 0; j < LENGTH; j++) {
          assertEquals(exact[j], total.grad[j], 1e-6 * 1e7 * partitions,
              partitions + "/" + depth + " element " + j);
        }
      }
    }
  }

  @Test
  void allEmptyPartitionsGiveNoGradient() {
    List<Integer> slots = List.of(0, 1, 2, 3, 4);
    JavaRDD<GradientPartial> partials = jsc().parallelize(slots, 5)
        .map(i -> new GradientPartial(null, new Metrics()));
    GradientPartial total = OrderedTreeSum.sum(partials, 2);
    assertNull(total.grad);
    assertEquals(0, total.metrics.count);
  }

  private static void add(float[] into, float[] v) {
    for (int j = 0; j < into.length; j++) {
      into[j] += v[j];
    }
  }

  static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }
}
