package io.spindle.ml;

import io.spindle.io.HadoopModelStore;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * Saving and loading Spindle's Spark ML models. A saved model is a directory:
 *
 * <pre>
 * PATH/metadata/        Spark ML's params metadata (class, uid, params), as every ML stage
 * PATH/spindle-model/   the network and weights in Spindle's own model format
 *                       (model.json + parameters.f32, see io.ModelStore)
 * </pre>
 *
 * PATH is a Hadoop path, as for any Spark ML stage; see {@link HadoopModelStore} for what that
 * means off the local file system. {@code spindle-model/} is also loadable by
 * {@code SpindleModel.load} and {@code spindle evaluate/predict --model}.
 */
final class ModelPersistence {

  static final String WEIGHTS_DIR = "spindle-model";

  private ModelPersistence() {}

  /** Writes the params metadata and the weights of a model. */
  static final class Writer extends MLWriter {
    private final Params model;
    private final NetworkSpec spec;
    private final float[] params;
    private final Map<String, Object> facts;

    Writer(Params model, NetworkSpec spec, float[] params, Map<String, Object> facts) {
      this.model = model;
      this.spec = spec;
      this.params = params;
      this.facts = facts;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("spark-ml-class", model.getClass().getName());
      meta.put("uid", model.uid());
      meta.put("training", facts);
      try {
        HadoopModelStore.save(sc().hadoopConfiguration(), new Path(path, WEIGHTS_DIR).toString(),
            spec, params, meta);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save the model's weights under " + path, e);
      }
    }
  }

  /** Reads a model written by {@link Writer}: its uid and params, then its weights. */
  static final class Reader<M extends Params> extends MLReader<M> {
    private final Class<M> type;
    private final BiFunction<String, SpindleModel, M> create;

    Reader(Class<M> type, BiFunction<String, SpindleModel, M> create) {
      this.type = type;
      this.create = create;
    }

    @Override
    public M load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader.loadMetadata(path, sc(), type.getName());
      SpindleModel weights;
      try {
        weights = HadoopModelStore.load(sc().hadoopConfiguration(),
            new Path(path, WEIGHTS_DIR).toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load the model's weights from " + path, e);
      }
      M model = create.apply(metadata.uid(), weights);
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }

  /** The class names a saved classifier kept (metadata.training.labels), or null. */
  static String[] labels(SpindleModel m) {
    com.fasterxml.jackson.databind.JsonNode node = m.metadata().path("training").path("labels");
    if (!node.isArray()) {
      return null;
    }
    String[] out = new String[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asText();
    }
    return out;
  }
}
