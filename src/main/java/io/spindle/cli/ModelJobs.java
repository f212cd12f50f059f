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

  /** The image class names a model was trained with (folder names in index order), or null. */
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
