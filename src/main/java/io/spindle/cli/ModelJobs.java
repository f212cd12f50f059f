package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.spindle.config.JobConfig;
import io.spindle.io.SpindleModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The job settings for a saved model: --config if given, else the config it was trained with. */
final class ModelJobs {

  private ModelJobs() {}

  @SuppressWarnings("unchecked")
  static JobConfig jobFor(SpindleModel model, CliArgs args) {
    if (args.config != null) {
      return JobSupport.loadJob(args);
    }
    JsonNode stored = model.metadata().path("training").path("config");
    if (!stored.isObject()) {
      throw new CliArgs.UsageException("the model holds no training config; pass --config FILE "
          + "to name the data");
    }
    Map<String, Object> map = new ObjectMapper().convertValue(stored, Map.class);
    return JobSupport.loadJob(ConfigFactory.parseMap(map, "the model's training config"),
        args.overrides);
  }

  /**
   * Display names of a classifier's {@code outputs} classes: the model's class names, then
   * indices for outputs beyond them; null when the model has no names.
   */
  static List<String> classLabels(SpindleModel model, int outputs) {
    List<String> names = classes(model);
    if (names == null) {
      return null;
    }
    List<String> labels = new ArrayList<>(names.subList(0, Math.min(names.size(), outputs)));
    for (int c = labels.size(); c < outputs; c++) {
      labels.add(Integer.toString(c));
    }
    return labels;
  }

  /**
   * The class names a model was trained with, in index order (image folder names, or the text
   * labels of a CSV/Parquet training set), or null.
   */
  static List<String> classes(SpindleModel model) {
    JsonNode classes = model.metadata().path("classes");
    if (!classes.isArray()) {
      return null;
    }
    List<String> names = new ArrayList<>();
    classes.forEach(c -> names.add(c.asText()));
    return names;
  }
}
