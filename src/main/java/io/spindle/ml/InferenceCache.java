package io.spindle.ml;

import io.spindle.nn.NetworkSpec;
import io.spindle.spark.BatchPredictor;
import io.spindle.spark.SparkInference;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.SparkSession;

/**
 * A model's network and weights for inference: broadcast once per Spark context and reused by
 * every {@code transform} (a CrossValidator evaluates each model many times), and a one-row
 * predictor on the driver for the single-example API ({@code predict(Vector)}).
 */
final class InferenceCache implements Serializable {

  private static final long serialVersionUID = 1L;

  private final NetworkSpec spec;
  private final float[] params;
  private transient Broadcast<SparkInference.NetworkParams> broadcast;
  private transient SparkContext owner;
  private transient BatchPredictor local;

  InferenceCache(NetworkSpec spec, float[] params) {
    this.spec = spec;
    this.params = params;
  }

  synchronized Broadcast<SparkInference.NetworkParams> broadcast(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    if (broadcast == null || owner != sc || sc.isStopped()) {
      broadcast = JavaSparkContext.fromSparkContext(sc)
          .broadcast(new SparkInference.NetworkParams(spec, params));
      owner = sc;
    }
    return broadcast;
  }

  /** Raw outputs of one example, computed here on the driver. */
  synchronized float[] predictOne(Vector features) {
    int size = spec.inputShape().size();
    if (features.size() != size) {
      throw new IllegalArgumentException("the features have " + features.size()
          + " values but the network input " + spec.inputShape() + " needs " + size);
    }
    if (local == null) {
      local = new BatchPredictor(spec, 1);
    }
    float[] x = local.input();
    for (int i = 0; i < size; i++) {
      x[i] = (float) features.apply(i);
    }
    return local.predictRaw(params, 1).clone();
  }
}
