package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.ConfusionEvaluator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Distributed inference: the network and its parameters are broadcast once, and each task runs
 * the network over its partition batch by batch with a {@link BatchPredictor} (one gemm per
 * layer per batch of rows, never per row).
 *
 * <ul>
 *   <li>{@link #evaluate}: loss, accuracy and confusion matrix over blocks ({@code spindle
 *       evaluate}).
 *   <li>{@link #transform}: a DataFrame with new columns computed from each row's raw outputs:
 *       the Spark ML models ({@code io.spindle.ml}) and {@code spindle predict} both use it.
 *   <li>{@link #predict}: raw blocks to prediction arrays, for callers without a DataFrame.
 * </ul>
 */
public final class SparkInference {

  /** Rows per forward pass unless a caller says otherwise. */
  public static final int DEFAULT_BATCH = ConfusionEvaluator.DEFAULT_BATCH;

  private SparkInference() {}

  /**
   * A network with its parameters: what inference broadcasts. The spec travels as closure
   * bytes ({@link ClosureSerialized}) so the broadcast works under Kryo too; the parameters are
   * a plain float array either way.
   */
  public static final class NetworkParams implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ClosureSerialized<NetworkSpec> spec;
    private final float[] params;

    /** Needs a running SparkContext (it serializes the spec with Spark's closure serializer). */
    public NetworkParams(NetworkSpec spec, float[] params) {
      if (params.length != spec.modelSize()) {
        throw new IllegalArgumentException("the network needs " + spec.modelSize()
            + " parameters (with its state), got " + params.length);
      }
      this.spec = ClosureSerialized.of(spec);
      this.params = params;
    }

    public NetworkSpec spec() {
      return spec.get();
    }

    public float[] params() {
      return params;
    }
  }

  /** Loss, accuracy and confusion matrix of {@code params} over the blocks. */
  public static ConfusionEvaluator.Result evaluate(JavaSparkContext sc, NetworkSpec spec,
      float[] params, JavaRDD<ExampleBlock> blocks) {
    Broadcast<NetworkParams> net = sc.broadcast(new NetworkParams(spec, params));
    try {
      sc.setJobDescription("spindle evaluate");
      return blocks.mapPartitions((Iterator<ExampleBlock> it) -> {
        NetworkParams n = net.value();
        ConfusionEvaluator evaluator = new ConfusionEvaluator(n.spec());
        ConfusionEvaluator.Result result = evaluator.newResult();
        while (it.hasNext()) {
          evaluator.evaluate(n.params(), it.next(), result.metrics(), result.confusion());
        }
        return Collections.singletonList(result).iterator();
      }).treeReduce(ConfusionEvaluator.Result::merge, 2);
    } finally {
      net.destroy();
    }
  }

  /**
   * One block's predictions: user-facing outputs (probabilities or values), row-major. A class,
   * not a record: it is a Spark task result, and Kryo cannot serialize records.
   */
  public static final class Predictions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int partition;
    private final int count;
    private final int outputs;
    private final float[] values;
    private final int[] classes;
    private final float[] targets;
    private final int targetSize;

    public Predictions(int partition, int count, int outputs, float[] values, int[] classes,
        float[] targets, int targetSize) {
      this.partition = partition;
      this.count = count;
      this.outputs = outputs;
      this.values = values;
      this.classes = classes;
      this.targets = targets;
      this.targetSize = targetSize;
    }

    public int partition() {
      return partition;
    }

    public int count() {
      return count;
    }

    public int outputs() {
      return outputs;
    }

    public float[] values() {
      return values;
    }

    public int[] classes() {
      return classes;
    }

    public float[] targets() {
      return targets;
    }

    public int targetSize() {
      return targetSize;
    }
  }

  /** Predictions for every example, in partition order, collected to the driver. */
  public static List<Predictions> predict(JavaSparkContext sc, NetworkSpec spec, float[] params,
      JavaRDD<ExampleBlock> blocks, int batch) {
    Broadcast<NetworkParams> net = sc.broadcast(new NetworkParams(spec, params));
    try {
      sc.setJobDescription("spindle predict");
      return new ArrayList<>(blocks.mapPartitionsWithIndex((p, it) -> {
        NetworkSpec s = net.value().spec();
        BatchPredictor predictor = new BatchPredictor(s, batch);
        int out = predictor.outputSize();
        List<Predictions> result = new ArrayList<>();
        while (it.hasNext()) {
          ExampleBlock block = it.next();
          int ts = block.targetSize();
          float[] y = new float[batch * ts];
          float[] values = new float[block.count() * out];
          float[] targets = new float[block.count() * ts];
          int[] classes = new int[block.count()];
          for (int from = 0; from < block.count(); from += batch) {
            int n = Math.min(batch, block.count() - from);
            block.gatherRange(from, n, predictor.input(), y);
            float[] raw = predictor.predictRaw(net.value().params(), n);
            System.arraycopy(raw, 0, values, from * out, n * out);
            for (int j = 0; j < n; j++) {
              // The class comes from the raw output (logits), before probabilities are taken.
              classes[from + j] = s.loss().predictedClass(raw, j * out, out);
            }
            System.arraycopy(y, 0, targets, from * ts, n * ts);
          }
          s.loss().toPrediction(values, block.count(), out);
          result.add(new Predictions(p, block.count(), out, values, classes, targets, ts));
        }
        return result.iterator();
      }, true).collect());
    } finally {
      net.destroy();
    }
  }

  /**
   * The new columns a row-wise inference appends, computed from one example's raw outputs.
   * Runs on the executors; keep it small and serializable.
   */
  public interface RowOutputs extends Serializable {

    /** How many values {@link #write} appends per row. */
    int columns();

    /**
     * Writes example j's new column values into {@code values[at, at + columns())}.
     *
     * @param raw the batch's raw outputs (logits for the fused losses), example after example
     * @param k outputs per example
     */
    void write(float[] raw, int j, int k, Object[] values, int at);
  }

  /**
   * {@code df} with new columns: every partition is read {@code batchRows} rows at a time, the
   * features go through one forward pass per batch, and each input row comes out with the
   * values {@code outputs} computes from its raw outputs appended. Lazy, like any
   * transformation; the broadcast is the caller's (broadcast once, reuse across calls).
   *
   * @param features the feature columns (one Vector or array column, or numeric columns)
   * @param outSchema {@code df}'s schema plus the new columns (their metadata is kept)
   * @throws IllegalArgumentException (from the tasks) for a row whose features do not fit
   */
  public static Dataset<Row> transform(Dataset<?> df, FrameColumns features,
      StructType outSchema, Broadcast<NetworkParams> net, int batchRows, RowOutputs outputs) {
    if (batchRows < 1) {
      throw new IllegalArgumentException("inference batch must be >= 1 rows, got " + batchRows);
    }
    StructType in = df.schema();
    if (outSchema.size() != in.size() + outputs.columns()) {
      throw new IllegalArgumentException("the output schema has " + outSchema.size()
          + " columns; expected " + in.size() + " input columns + " + outputs.columns());
    }
    boolean vector = features.vectorFeatures(in);
    int[] positions = features.features().stream().mapToInt(in::fieldIndex).toArray();
    RowFeatures reader = new RowFeatures(features, positions, vector,
        net.value().spec().inputShape().size());
    Dataset<Row> out = df.toDF().mapPartitions(
        new TransformPartition(net, reader, batchRows, in.size(), outputs),
        Encoders.row(outSchema));
    // The encoder keeps names and types; put back column metadata (ML attributes).
    for (int i = in.size(); i < outSchema.size(); i++) {
      StructField f = outSchema.fields()[i];
      if (f.metadata() != null && !f.metadata().json().equals("{}")) {
        out = out.withMetadata(f.name(), f.metadata());
      }
    }
    return out;
  }

  private static final class TransformPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final Broadcast<NetworkParams> net;
    private final RowFeatures reader;
    private final int batchRows;
    private final int inputColumns;
    private final RowOutputs outputs;

    TransformPartition(Broadcast<NetworkParams> net, RowFeatures reader, int batchRows,
        int inputColumns, RowOutputs outputs) {
      this.net = net;
      this.reader = reader;
      this.batchRows = batchRows;
      this.inputColumns = inputColumns;
      this.outputs = outputs;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      if (!rows.hasNext()) {
        return Collections.emptyIterator();
      }
      return new BatchIterator(rows);
    }

    /** Pulls a batch of input rows, runs it, hands the output rows out one by one. */
    private final class BatchIterator implements Iterator<Row> {
      private final Iterator<Row> rows;
      private final NetworkParams n = net.value();
      private final BatchPredictor predictor = new BatchPredictor(n.spec(), batchRows);
      private final Row[] batch = new Row[batchRows];
      private final Row[] ready = new Row[batchRows];
      private int readyCount;
      private int next;
      private long seen;

      BatchIterator(Iterator<Row> rows) {
        this.rows = rows;
      }

      @Override
      public boolean hasNext() {
        if (next < readyCount) {
          return true;
        }
        if (!rows.hasNext()) {
          return false;
        }
        fill();
        return readyCount > 0;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row r = ready[next];
        ready[next++] = null;
        return r;
      }

      private void fill() {
        int size = predictor.inputSize();
        float[] x = predictor.input();
        int count = 0;
        while (count < batchRows && rows.hasNext()) {
          Row row = rows.next();
          String bad = reader.read(row, x, count * size);
          if (bad != null) {
            throw new IllegalArgumentException("cannot predict: " + bad.replace("@",
                "in row " + (seen + count) + " of this partition"));
          }
          batch[count++] = row;
        }
        seen += count;
        float[] raw = predictor.predictRaw(n.params(), count);
        int k = predictor.outputSize();
        for (int j = 0; j < count; j++) {
          Object[] values = new Object[inputColumns + outputs.columns()];
          Row row = batch[j];
          for (int c = 0; c < inputColumns; c++) {
            values[c] = row.get(c);
          }
          outputs.write(raw, j, k, values, inputColumns);
          ready[j] = RowFactory.create(values);
          batch[j] = null;
        }
        readyCount = count;
        next = 0;
      }
    }
  }
}
