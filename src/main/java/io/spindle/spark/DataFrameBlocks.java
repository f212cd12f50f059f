package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.WeightedLoss;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A DataFrame turned into what the trainers read: one packed {@link ExampleBlock} per
 * partition, built on the executors (nothing is collected to the driver), validated and
 * persisted. Float32 features, targets as the network's loss expects them (a class index, or a
 * value), plus the example weight as one more target float when a weight column is given (see
 * {@link WeightedLoss}).
 *
 * <p>Every row is checked while it is packed: label present, finite and (for classifiers) a
 * class the last layer can output; feature count equal to the network input; no NaN, infinite
 * or missing values; weights finite and non-negative. A bad row does not fail a task: the
 * partition reports its first problem, and {@link #convert} throws an
 * {@link IllegalArgumentException} on the driver that names the data, the column, the file
 * (when known) and the fix.
 */
public final class DataFrameBlocks {

  private DataFrameBlocks() {}

  /**
   * What {@link #convert} built.
   *
   * @param blocks one block per partition, persisted (unpersist when done); for training data
   *     converted with a {@link Chunking}, each partition is a chunk
   * @param sizes examples per partition (per shard for chunked data)
   * @param weightSum sum of the weights (the example count when unweighted)
   * @param shardStart for chunked data, shard s holds partitions [shardStart[s],
   *     shardStart[s+1]); otherwise every partition is its own shard
   */
  public record Converted(JavaRDD<ExampleBlock> blocks, long[] sizes, long count,
      double weightSum, int[] shardStart) {

    /** The blocks as training data (chunks and shards). */
    public TrainingBlocks training() {
      return new TrainingBlocks(blocks, shardStart);
    }

    /** {@code count / weightSum}: the scale that makes the weights average 1. */
    public double weightScale() {
      return weightSum > 0 ? count / weightSum : 1.0;
    }
  }

  /**
   * How training rows are cut into chunks ({@link TrainingBlocks}): chunks of about
   * {@code chunkBytes} of packed float32 data, each its own Spark block. With {@code mix} and
   * more chunks than shards, every row goes to a chunk drawn at random (seeded by {@code seed},
   * its input partition and its place there), so chunks are random samples however the input
   * is sorted; otherwise rows keep their order, chunk after chunk (where each shard is one
   * chunk, exactly the contiguous cut of {@code ChunkLayout.split}).
   */
  public record Chunking(long chunkBytes, boolean mix, long seed) implements Serializable {

    public static Chunking of(io.spindle.train.TrainingOptions options) {
      return new Chunking(options.chunkBytes(), options.shuffle(), options.seed());
    }
  }

  /**
   * How rows become examples for a network: features per example, and the classes a label may
   * take (0 for regression).
   */
  public record Layout(int featureSize, int classes, boolean weighted) implements Serializable {

    /** The layout {@code spec}'s loss needs; fails for outputs one label column cannot feed. */
    public static Layout of(NetworkSpec spec, boolean weighted) {
      int k = spec.outputShape().size();
      int ts = spec.loss().targetSize(k);
      if (ts != 1) {
        throw new IllegalArgumentException("the loss " + spec.loss().name() + " with " + k
            + " outputs needs " + ts + " target values per example, but a DataFrame gives one"
            + " label; use one output (regression, binary) or softmax-cross-entropy (classes)");
      }
      int classes = spec.loss().isClassification() ? Math.max(2, k) : 0;
      return new Layout(spec.inputShape().size(), classes, weighted);
    }

    int targetSize() {
      return weighted ? 2 : 1;
    }
  }

  /** {@link #convert(Dataset, FrameColumns, Layout, StorageLevel, int)} keeping df's partitions. */
  public static Converted convert(Dataset<Row> df, FrameColumns cols, Layout layout,
      StorageLevel level) {
    return convert(df, cols, layout, level, 0);
  }

  /**
   * Converts and validates {@code df}, persisted at {@code level}. Runs two jobs: one packs and
   * checks every partition of {@code df}, one moves the packed blocks to their partitions
   * through a shuffle and persists them.
   *
   * <p>Why a shuffle even when the partitions stay as they are: it cuts the blocks' lineage.
   * Every training iteration is a job over the blocks, and a job ships its RDD's lineage back
   * to the last shuffle with every stage; above the shuffle there is only this class's small
   * assembly step, where a direct lineage would carry Spark SQL's scan, its plan and its
   * schema (about 1 MB per job for a 3,073-column CSV). Recovery is Spark's own: a lost cached
   * block is rebuilt from the shuffle's output, and output lost with its executor is recomputed
   * from the source by Spark's usual stage retry. The price is one write and read of the packed
   * float32 data when the set is loaded.
   *
   * @param partitions partitions of the result: 0 (or df's count) keeps df's partitions, each
   *     one block; another count deals the examples out round-robin by position, row r of
   *     input partition p to partition (p + r) mod partitions, each partition in (p, r) order:
   *     a spread that depends only on the rows' order, not on what they hold or where the files
   *     live (Dataset.repartition sorts rows by their bytes, source-file path included)
   * @throws IllegalArgumentException for a missing column or wrong type (before any job) or
   *     for the first bad row found
   */
  public static Converted convert(Dataset<Row> df, FrameColumns cols, Layout layout,
      StorageLevel level, int partitions) {
    return convert(df, cols, layout, level, partitions, null);
  }

  /**
   * Like {@link #convert(Dataset, FrameColumns, Layout, StorageLevel, int)}, but for training
   * data read a window of chunks at a time: with {@code chunking}, the result's partitions are
   * chunks of about {@link Chunking#chunkBytes} ({@code max(shards, data / chunkBytes)} of
   * them), grouped into {@code partitions} contiguous shards (0: df's partition count). The
   * rows reach their chunks through the same one shuffle, which, with {@link Chunking#mix},
   * also mixes sorted input once.
   */
  public static Converted convert(Dataset<Row> df, FrameColumns cols, Layout layout,
      StorageLevel level, int partitions, Chunking chunking) {
    cols.checkSchema(df.schema());
    boolean vector = cols.vectorFeatures(df.schema());
    List<Column> select = new ArrayList<>();
    for (String f : cols.features()) {
      select.add(functions.col(f));
    }
    select.add(functions.col(cols.label()));
    if (cols.weighted()) {
      select.add(functions.col(cols.weight()));
    }
    if (cols.file() != null) {
      select.add(functions.col(cols.file()));
    }
    Dataset<Row> narrow = df.select(select.toArray(Column[]::new));
    Pack pack = new Pack(cols, layout, vector);
    JavaRDD<Packed> packed = narrow.javaRDD()
        .mapPartitionsWithIndex(pack::call, true)
        .setName("spindle packing " + cols.data())
        .persist(level);
    try {
      List<Summary> summaries = packed.map(Packed::summary).collect();
      long[] inputSizes = new long[packed.getNumPartitions()];
      long count = 0;
      double weightSum = 0;
      for (Summary s : summaries) {
        if (s.problem() != null) {
          throw new IllegalArgumentException(s.problem());
        }
        inputSizes[s.partition()] = s.count();
        count += s.count();
        weightSum += s.weightSum();
      }
      if (count == 0) {
        throw new IllegalArgumentException(cols.data() + " holds no examples; use a non-empty "
            + "data set");
      }
      if (cols.weighted() && !(weightSum > 0)) {
        throw new IllegalArgumentException(cols.data() + ": the weights in column '"
            + cols.weight() + "' sum to " + weightSum + "; at least one must be positive");
      }
      if (chunking != null) {
        return chunked(packed, inputSizes, count, cols, layout, level,
            partitions > 0 ? partitions : inputSizes.length, chunking,
            cols.weighted() ? weightSum : count);
      }
      int out = partitions > 0 ? partitions : inputSizes.length;
      boolean deal = out != inputSizes.length;
      JavaRDD<ExampleBlock> blocks = packed
          .flatMapToPair(p -> pieces(p, out, deal))
          .partitionBy(new HashPartitioner(out))
          .mapPartitions(DataFrameBlocks::assemble, true)
          .setName("spindle blocks " + cols.data())
          .persist(level);
      blocks.foreachPartition(it -> {}); // materialize from the packed cache
      return new Converted(blocks, deal ? dealt(inputSizes, out) : inputSizes, count,
          cols.weighted() ? weightSum : count, ChunkLayout.evenShards(out, out));
    } finally {
      packed.unpersist(false);
    }
  }

  private static Converted chunked(JavaRDD<Packed> packed, long[] inputSizes, long count,
      FrameColumns cols, Layout layout, StorageLevel level, int shards, Chunking chunking,
      double weightSum) {
    long bytesPerExample = 4L * (layout.featureSize() + layout.targetSize());
    long perChunk = ChunkLayout.examplesPerChunk(bytesPerExample, chunking.chunkBytes());
    int chunks = (int) Math.min(Integer.MAX_VALUE - 8,
        Math.max(shards, (count + perChunk - 1) / perChunk));
    long[] offsets = new long[inputSizes.length];
    for (int p = 1; p < offsets.length; p++) {
      offsets[p] = offsets[p - 1] + inputSizes[p - 1];
    }
    // One chunk per shard: each shard is shuffled whole every epoch, so no mixing pass, and the
    // shards are contiguous runs of rows, as ChunkLayout.split cuts in-memory data.
    boolean mix = chunking.mix() && chunks > shards;
    JavaRDD<ExampleBlock> blocks = packed
        .flatMapToPair(p -> toChunks(p, chunks, count, offsets, mix, chunking.seed()))
        .partitionBy(new HashPartitioner(chunks))
        .mapPartitions(DataFrameBlocks::assemble, true)
        .setName("spindle training chunks " + cols.data() + " (" + count + " examples in "
            + chunks + " chunks)")
        .persist(level);
    long[] chunkSizes = BlockRdds.partitionSizes(blocks); // materializes from the packed cache
    int[] shardStart = ChunkLayout.evenShards(chunks, shards);
    long[] shardSizes = new ChunkLayout(chunkSizes, shardStart).shardSizes();
    return new Converted(blocks, shardSizes, count, weightSum, shardStart);
  }

  /** A packed input partition's rows, grouped by the chunk each goes to. */
  private static Iterator<Tuple2<Integer, Piece>> toChunks(Packed p, int chunks, long count,
      long[] offsets, boolean mix, long seed) {
    if (p.block == null) {
      return Collections.emptyIterator();
    }
    ExampleBlock b = p.block;
    int[] target = new int[b.count()];
    SplittableRandom rng = new SplittableRandom(BatchSchedule.mix(seed, p.partition, chunks));
    for (int r = 0; r < target.length; r++) {
      // Unmixed: row g goes to the chunk c with floor(c N / C) <= g < floor((c+1) N / C), the
      // boundaries of ExampleBlock.split.
      target[r] = mix ? rng.nextInt(chunks)
          : (int) (((offsets[p.partition] + r + 1) * chunks - 1) / count);
    }
    int[] perChunk = new int[chunks];
    for (int t : target) {
      perChunk[t]++;
    }
    int[][] rows = new int[chunks][];
    for (int c = 0; c < chunks; c++) {
      rows[c] = perChunk[c] == 0 ? null : new int[perChunk[c]];
      perChunk[c] = 0;
    }
    for (int r = 0; r < target.length; r++) {
      rows[target[r]][perChunk[target[r]]++] = r;
    }
    List<Tuple2<Integer, Piece>> pieces = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      if (rows[c] != null) {
        pieces.add(new Tuple2<>(c, new Piece(p.partition, b.reordered(rows[c]))));
      }
    }
    return pieces.iterator();
  }

  /** A piece of a result partition: examples from input partition {@code source}. */
  static final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    final int source;
    final ExampleBlock block;

    Piece(int source, ExampleBlock block) {
      this.source = source;
      this.block = block;
    }
  }

  /** Where a packed input partition's examples go: all to its own partition, or dealt out. */
  private static Iterator<Tuple2<Integer, Piece>> pieces(Packed p, int out, boolean deal) {
    if (p.block == null) {
      return Collections.emptyIterator();
    }
    if (!deal) {
      return List.of(new Tuple2<>(p.partition, new Piece(p.partition, p.block))).iterator();
    }
    ExampleBlock b = p.block;
    int fs = b.featureSize();
    int ts = b.targetSize();
    List<Tuple2<Integer, Piece>> pieces = new ArrayList<>();
    for (int t = 0; t < out; t++) {
      int first = Math.floorMod(t - p.partition, out);
      if (first >= b.count()) {
        continue;
      }
      int n = (b.count() - 1 - first) / out + 1;
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) {
        rows[i] = first + i * out;
      }
      float[] x = new float[n * fs];
      float[] y = new float[n * ts];
      b.gather(rows, 0, n, x, y);
      pieces.add(new Tuple2<>(t, new Piece(p.partition, ExampleBlock.ofFloats(x, y, n, fs, ts))));
    }
    return pieces.iterator();
  }

  /** A result partition's pieces, in input-partition order, as one block (none if empty). */
  private static Iterator<ExampleBlock> assemble(Iterator<Tuple2<Integer, Piece>> it) {
    List<Piece> pieces = new ArrayList<>();
    it.forEachRemaining(t -> pieces.add(t._2()));
    if (pieces.isEmpty()) {
      return Collections.emptyIterator();
    }
    pieces.sort(java.util.Comparator.comparingInt(piece -> piece.source));
    return List.of(ExampleBlock.concat(pieces.stream().map(piece -> piece.block).toList()))
        .iterator();
  }

  /** Examples per result partition when input partitions of {@code sizes} are dealt out. */
  static long[] dealt(long[] sizes, int out) {
    long[] result = new long[out];
    for (int p = 0; p < sizes.length; p++) {
      for (int t = 0; t < out; t++) {
        long first = Math.floorMod(t - p, out);
        result[t] += sizes[p] > first ? (sizes[p] - 1 - first) / out + 1 : 0;
      }
    }
    return result;
  }

  /** One partition's result: its block, or its first problem. */
  static final class Packed implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final ExampleBlock block;
    final String problem;
    final double weightSum;

    Packed(int partition, ExampleBlock block, String problem, double weightSum) {
      this.partition = partition;
      this.block = block;
      this.problem = problem;
      this.weightSum = weightSum;
    }

    Summary summary() {
      return new Summary(partition, block == null ? 0 : block.count(), problem, weightSum);
    }
  }

  /** A partition's count and first problem; a task result, so a class (Kryo cannot do records). */
  static final class Summary implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final long count;
    private final String problem;
    private final double weightSum;

    Summary(int partition, long count, String problem, double weightSum) {
      this.partition = partition;
      this.count = count;
      this.problem = problem;
      this.weightSum = weightSum;
    }

    int partition() {
      return partition;
    }

    long count() {
      return count;
    }

    String problem() {
      return problem;
    }

    double weightSum() {
      return weightSum;
    }
  }

  /** The per-partition packing (small and serializable: column names and the layout). */
  private static final class Pack implements Serializable {
    private static final long serialVersionUID = 1L;
    private final FrameColumns cols;
    private final Layout layout;
    private final boolean vector;
    private final RowFeatures features;
    /** Class name to index, built on first use in each task. */
    private transient Map<String, Integer> nameIndex;

    Pack(FrameColumns cols, Layout layout, boolean vector) {
      this.cols = cols;
      this.layout = layout;
      this.vector = vector;
      int[] at = new int[vector ? 1 : cols.features().size()];
      Arrays.setAll(at, i -> i);
      this.features = new RowFeatures(cols, at, vector, layout.featureSize());
    }

    Iterator<Packed> call(int partition, Iterator<Row> rows) {
      int fs = layout.featureSize();
      int ts = layout.targetSize();
      int labelAt = vector ? 1 : cols.features().size();
      int weightAt = labelAt + 1;
      int fileAt = labelAt + (layout.weighted() ? 2 : 1);
      float[] x = new float[fs * 256];
      float[] y = new float[ts * 256];
      int n = 0;
      double weightSum = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        if ((long) (n + 1) * fs > Integer.MAX_VALUE - 8) {
          return problem(partition, cols.data() + ": partition " + partition + " holds more than "
              + n + " examples of " + fs + " values, over one Java array; use more partitions");
        }
        if (x.length < (n + 1) * fs) {
          x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 8, 2L * x.length));
          y = Arrays.copyOf(y, 2 * y.length);
        }
        String bad = features.read(row, x, n * fs);
        if (bad == null) {
          bad = label(row, labelAt, y, n * ts);
        }
        if (bad == null && layout.weighted()) {
          bad = weight(row, weightAt, y, n * ts + 1);
          if (bad == null) {
            weightSum += y[n * ts + 1];
          }
        }
        if (bad != null) {
          // Rows may have been repartitioned: a row number would mislead where the file is known.
          String where = cols.file() != null && !row.isNullAt(fileAt)
              ? "in " + row.getString(fileAt)
              : "in row " + n + " of partition " + partition;
          return problem(partition, cols.data() + ": " + bad.replace("@", where));
        }
        n++;
      }
      if (n == 0) {
        return List.of(new Packed(partition, null, null, 0)).iterator();
      }
      ExampleBlock block = ExampleBlock.ofFloats(Arrays.copyOf(x, n * fs),
          Arrays.copyOf(y, n * ts), n, fs, ts);
      return List.of(new Packed(partition, block, null, weightSum)).iterator();
    }

    private static Iterator<Packed> problem(int partition, String message) {
      return List.of(new Packed(partition, null, message, 0)).iterator();
    }

    private String label(Row row, int at, float[] y, int to) {
      Object cell = row.get(at);
      if (cols.labelNames() != null && !(cell instanceof Number)) {
        return namedLabel(cell, y, to);
      }
      Double parsed = FrameColumns.number(cell);
      if (parsed == null) {
        return "label column '" + cols.label() + "' " + FrameColumns.show(cell) + " @; labels must"
            + " be numbers" + hint();
      }
      double v = parsed;
      if (!Double.isFinite(v)) {
        return "label column '" + cols.label() + "' is " + v + " @; fix the labels";
      }
      int classes = layout.classes();
      if (classes > 0 && (v < 0 || v >= classes || v != Math.floor(v))) {
        return "label column '" + cols.label() + "' holds " + v + " @, which is not a class in"
            + " [0, " + classes + ") of the network's output; fix the labels or widen the last"
            + " layer" + hint();
      }
      y[to] = (float) v;
      return null;
    }

    /** A class name: its index in the names (the training set's order). */
    private String namedLabel(Object cell, float[] y, int to) {
      if (nameIndex == null) {
        Map<String, Integer> index = new HashMap<>();
        for (String name : cols.labelNames()) {
          index.putIfAbsent(name, index.size());
        }
        nameIndex = index;
      }
      if (cell == null) {
        return "label column '" + cols.label() + "' is empty @; give every row a class name";
      }
      Integer cls = nameIndex.get(cell.toString());
      if (cls == null) {
        List<String> names = cols.labelNames();
        return "label column '" + cols.label() + "' holds '" + cell + "' @, which is not one of"
            + " the " + names.size() + " classes of the training data ("
            + String.join(", ", names.size() <= 12 ? names : names.subList(0, 10))
            + (names.size() <= 12 ? "" : ", ...") + "); fix the label or retrain with it";
      }
      y[to] = cls;
      return null;
    }

    private String hint() {
      return cols.labelHint().isEmpty() ? "" : " (" + cols.labelHint() + ")";
    }

    private String weight(Row row, int at, float[] y, int to) {
      Object cell = row.get(at);
      Double w = FrameColumns.number(cell);
      if (w == null) {
        return "weight column '" + cols.weight() + "' " + FrameColumns.show(cell) + " @; give "
            + "every row a weight";
      }
      if (!(w >= 0) || !Double.isFinite(w)) {
        return "weight column '" + cols.weight() + "' holds " + w + " @; weights must be finite"
            + " and >= 0";
      }
      y[to] = (float) (double) w;
      return null;
    }
  }
}
