package io.spindle.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Sums one {@link GradientPartial} per partition like {@code treeReduce}, but always in the
 * same order, so the float sum is the same bits on every run whatever order tasks finish in.
 *
 * <p>Why: float addition is not associative, and {@code treeReduce} merges in arrival order:
 * its shuffle levels fold values in the order the reducer fetches them, and the final
 * {@code fold} on the driver merges task results as tasks complete. With three or more
 * partitions two runs of the same iteration can then differ in the last bits, and a resumed
 * run could not end bit-for-bit equal to an uninterrupted one.
 *
 * <p>How: the partials are keyed by partition index. Each level groups {@code scale}
 * consecutive indices (the same level sizes as {@code treeReduce}: scale = ceil(P^(1/depth)),
 * at least 2), shuffles each group to one task sorted by index, and folds it left to right
 * there, on the executors, into the group's first partial (buffers stay executor-allocated;
 * nothing large travels in a closure). The last level (at most scale + ceil(P / scale)
 * partials) is collected and folded on the driver in index order. The association is
 * therefore a function of the partition count and depth alone.
 */
final class OrderedTreeSum {

  private OrderedTreeSum() {}

  /**
   * @param perPartition exactly one partial per partition (partition i's at index i)
   * @param depth tree depth, as for {@code treeReduce} (1 = collect everything to the driver)
   */
  static GradientPartial sum(JavaRDD<GradientPartial> perPartition, int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, got " + depth);
    }
    JavaPairRDD<Integer, GradientPartial> level = JavaPairRDD.fromJavaRDD(
        perPartition.mapPartitionsWithIndex(OrderedTreeSum::keyByPartition, true));
    int n = perPartition.getNumPartitions();
    int scale = Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
    while (n > scale + ceilDiv(n, scale)) {
      int groups = ceilDiv(n, scale);
      level = JavaPairRDD.fromJavaRDD(level
          .repartitionAndSortWithinPartitions(new GroupPartitioner(scale, groups))
          .mapPartitionsWithIndex(OrderedTreeSum::foldGroup, true));
      n = groups;
    }
    List<Tuple2<Integer, GradientPartial>> last = new ArrayList<>(level.collect());
    last.sort(Comparator.comparing(Tuple2::_1));
    return foldInOrder(last.iterator());
  }

  private static Iterator<Tuple2<Integer, GradientPartial>> keyByPartition(Integer index,
      Iterator<GradientPartial> it) {
    List<Tuple2<Integer, GradientPartial>> out = new ArrayList<>(1);
    while (it.hasNext()) {
      out.add(new Tuple2<>(index, it.next()));
    }
    if (out.size() != 1) {
      throw new IllegalStateException("partition " + index + " produced " + out.size()
          + " gradient partials instead of one");
    }
    return out.iterator();
  }

  /** One group's partials arrive sorted by index; the result is keyed by the group's index. */
  private static Iterator<Tuple2<Integer, GradientPartial>> foldGroup(Integer group,
      Iterator<Tuple2<Integer, GradientPartial>> sorted) {
    if (!sorted.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    return List.of(new Tuple2<>(group, foldInOrder(sorted))).iterator();
  }

  private static GradientPartial foldInOrder(Iterator<Tuple2<Integer, GradientPartial>> sorted) {
    GradientPartial acc = sorted.next()._2();
    while (sorted.hasNext()) {
      acc = acc.merge(sorted.next()._2());
    }
    return acc;
  }

  /**
   * Partitions per group of the tree's first level for {@code partitions} at {@code depth}: the
   * tree's scale when it has an intermediate level, else 1 (every partial goes to the driver).
   * Transports that fold on their own (the barrier stage) use it to keep this association.
   */
  static int firstLevelGroupSize(int partitions, int depth) {
    int scale = scale(partitions, depth);
    return partitions > scale + ceilDiv(partitions, scale) ? scale : 1;
  }

  /**
   * The rest of {@link #sum} on the driver: given the first level's group sums (each group of
   * {@link #firstLevelGroupSize} consecutive partitions folded left to right), applies the
   * remaining levels and the final in-order fold, the same association as {@link #sum}.
   */
  static GradientPartial foldFromFirstLevel(GradientPartial[] groups, int partitions,
      int depth) {
    int scale = scale(partitions, depth);
    GradientPartial[] level = groups;
    int n = level.length;
    if (firstLevelGroupSize(partitions, depth) > 1) {
      while (n > scale + ceilDiv(n, scale)) {
        GradientPartial[] next = new GradientPartial[ceilDiv(n, scale)];
        for (int g = 0; g < next.length; g++) {
          GradientPartial acc = level[g * scale];
          for (int i = g * scale + 1; i < Math.min(n, (g + 1) * scale); i++) {
            acc = acc.merge(level[i]);
          }
          next[g] = acc;
        }
        level = next;
        n = next.length;
      }
    }
    return GradientPartial.foldInOrder(level);
  }

  private static int scale(int partitions, int depth) {
    return Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / depth)), 2);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Sends index i to task i / scale: each task gets a run of consecutive indices. */
  static final class GroupPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final int scale;
    private final int groups;

    GroupPartitioner(int scale, int groups) {
      this.scale = scale;
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key / scale;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GroupPartitioner g && g.scale == scale && g.groups == groups;
    }

    @Override
    public int hashCode() {
      return Objects.hash(scale, groups);
    }
  }
}
