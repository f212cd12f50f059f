package io.spindle.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.spindle.fuzz.FuzzSupport;
import io.spindle.fuzz.SeedWriter;
import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fuzzes the config parsers: {@link ConfigLoader#load} (file and --set overrides on the
 * defaults, unknown keys) and what reads its result, {@link JobConfig#from} with
 * {@link NetworkConfig#parse(Config)} and {@link TrainingConfig#parse(Config)}, also straight on
 * a parsed file without the loader. Inputs are arbitrary HOCON text, or the shipped
 * conf/*.conf with lines whose values are replaced (wrong types, out-of-range and huge numbers,
 * unknown layer types, substitutions), deleted, inserted or spliced, plus overrides.
 *
 * <p>The parsers may only return a job or throw a {@link SpindleConfigException} with a
 * one-line message. A parsed network and optimizer must survive the round trip through their
 * map and HOCON forms (which the model directory and summary.json store) unchanged.
 *
 * <p>Inputs containing {@code include} are skipped: HOCON includes (files, classpath, URLs)
 * are typesafe's own, and following them would read arbitrary files or reach the network.
 */
public class ConfigFuzzTest {

  static final int MAX_TEXT = 4096;
  static final int MAX_SPLICE = 32;

  /** The job configs under conf/ (spark-defaults.conf there is Spark's, not ours). */
  static final List<String> SHIPPED_FILES = List.of("cnn-large-mnist.conf", "lenet5-mnist.conf",
      "mlp-mnist.conf");

  /** The shipped job configs, as {@link #SHIPPED_FILES} lists them. */
  static final List<String> SHIPPED = shippedConfigs();

  /** Every key of defaults.conf plus near misses and model.layers forms. */
  static final List<String> KEYS = keys();

  static final List<String> VALUES = List.of("-1", "0", "1", "6", "2147483647", "2147483648",
      "9223372036854775808", "1e400", "1e-400", "NaN", "Infinity", "0.5", "1.5", "\"6\"",
      "\"x\"", "x", "true", "null", "[]", "{}", "[1, 28]", "[1, 28, 28, 3]", "[0, 28, 28]",
      "[65536, 65536, 65536]", "[1, 2147483647, 2]", "{ type = dense }",
      "{ type = dense, units = 10, unit = 3 }", "[{ type = lstm }]",
      "[{ type = conv2d, filters = 6, kernel = 50 }]",
      "[{ type = max-pool, size = 2, padding = 2 }]", "[{ type = dense, units = 3000000 }]",
      "${undefined}", "${?HOME}", "${data.input-shape}", "${model}", "[${training.epochs}]",
      "mse", "adam", "cosine", "step", "MEMORY_ONLY", "\"a\\nb\"", "\"\\u001b[2J\"",
      "hdfs://namenode/x", "\"\"");

  /** Where the input comes from. */
  static final int SOURCE_TEXT = 0;

  /** What a line mutation does. */
  static final int LINE_SET_VALUE = 0;
  static final int LINE_DELETE = 1;
  static final int LINE_INSERT = 2;
  static final int LINE_SPLICE = 3;

  /** Which parser reads the text. */
  static final int PARSE_JOB = 0;
  static final int PARSE_SECTIONS = 1;

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({"data", "model", "training", "spark", "layers", "type", "units",
      "filters", "kernel", "stride", "padding", "size", "rate", "alpha", "init", "loss",
      "input-shape", "optimizer", "learning-rate", "lr-schedule", "dense", "conv2d", "max-pool",
      "avg-pool", "flatten", "relu", "leaky-relu", "dropout", "softmax", "adamw", "nesterov",
      "cosine", "warmup-iterations", "=", "{", "}", "[", "]", ",", ":", "${", "${?", "\"",
      "\"\"\"", "+=", "#", "//", "2147483648", "1e400"})
  void configText(FuzzedDataProvider data) {
    read(data, FuzzSupport.emptyDir("config"));
  }

  /**
   * Builds the config {@code data} describes in {@code dir} and parses it.
   *
   * @return the JobConfig or TrainingConfig read, the SpindleConfigException thrown, or null
   *     for a skipped input
   */
  public static Object read(FuzzedDataProvider data, Path dir) {
    int source = data.consumeInt(SOURCE_TEXT, SHIPPED.size());
    String text = source == SOURCE_TEXT ? utf8(data.consumeBytes(data.consumeInt(0, MAX_TEXT)))
        : mutate(data, SHIPPED.get(source - 1));
    List<String> overrides = new ArrayList<>();
    for (int n = data.consumeInt(0, 2); n > 0; n--) {
      String key = data.consumeBoolean() ? KEYS.get(data.consumeInt(0, KEYS.size() - 1))
          : utf8(data.consumeBytes(data.consumeInt(0, MAX_SPLICE)));
      overrides.add(key + "=" + value(data));
    }
    int parser = data.consumeInt(PARSE_JOB, PARSE_SECTIONS);
    if (text.contains("include") || overrides.stream().anyMatch(o -> o.contains("include"))) {
      return null;
    }
    try {
      return parser == PARSE_JOB ? job(dir, text, overrides) : sections(text);
    } catch (SpindleConfigException e) {
      FuzzSupport.requireUsableMessage(e, null);
      return e;
    }
  }

  private static JobConfig job(Path dir, String text, List<String> overrides) {
    Path file = dir.resolve("job.conf");
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JobConfig job = JobConfig.from(ConfigLoader.load(file, overrides));
    checkRoundTrip(job.network());
    checkRoundTrip(TrainingConfig.parse(job.resolved()));
    return job;
  }

  /** The network and training parsers on a file as written, without the loader's defaults. */
  private static Object sections(String text) {
    Config raw;
    try {
      raw = ConfigFactory.parseString(text);
    } catch (ConfigException notHocon) {
      return null; // typesafe's parser, not ours: the loader wraps this (see job())
    }
    TrainingConfig training = TrainingConfig.parse(raw);
    checkRoundTrip(training);
    checkRoundTrip(NetworkConfig.parse(raw));
    return training;
  }

  // ---- the round trips the model store and summary.json rely on ----

  private static void checkRoundTrip(NetworkSpec spec) {
    String hocon = NetworkConfig.toHocon(spec);
    String viaMap = NetworkConfig.toHocon(NetworkConfig.parse(NetworkConfig.toMap(spec)));
    String viaText = NetworkConfig.toHocon(NetworkConfig.parse(ConfigFactory.parseString(hocon)));
    if (!hocon.equals(viaMap) || !hocon.equals(viaText)) {
      throw new AssertionError("the network changed in a round trip:\n" + hocon + "\nvia map:\n"
          + viaMap + "\nvia text:\n" + viaText);
    }
    if (spec.paramCount() < 0) {
      throw new AssertionError("negative parameter count " + spec.paramCount());
    }
  }

  private static void checkRoundTrip(TrainingConfig training) {
    Config again = ConfigValueFactory.fromMap(Map.of("training", training.toMap())).toConfig();
    TrainingConfig back = TrainingConfig.parse(again);
    if (!back.equals(training)) {
      throw new AssertionError("the optimizer changed in a round trip: " + training + " -> " + back);
    }
  }

  // ---- mutating a shipped config ----

  private static String mutate(FuzzedDataProvider data, String text) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    for (int n = data.consumeInt(0, 4); n > 0; n--) {
      int kind = data.consumeInt(LINE_SET_VALUE, LINE_SPLICE);
      int i = data.consumeInt(0, lines.size() - 1);
      String line = lines.get(i);
      switch (kind) {
        case LINE_SET_VALUE -> {
          int eq = line.indexOf('=');
          if (eq >= 0) {
            lines.set(i, line.substring(0, eq + 1) + " " + value(data));
          }
        }
        case LINE_DELETE -> lines.remove(i);
        case LINE_INSERT -> lines.add(i, KEYS.get(data.consumeInt(0, KEYS.size() - 1)) + " = "
            + value(data));
        default -> {
          int at = data.consumeInt(0, line.length());
          lines.set(i, line.substring(0, at)
              + utf8(data.consumeBytes(data.consumeInt(0, MAX_SPLICE))) + line.substring(at));
        }
      }
      if (lines.isEmpty()) {
        lines.add("");
      }
    }
    return String.join("\n", lines);
  }

  /** A value from the dictionary of troublesome ones, or fuzzed text. */
  private static String value(FuzzedDataProvider data) {
    return data.consumeBoolean() ? VALUES.get(data.consumeInt(0, VALUES.size() - 1))
        : utf8(data.consumeBytes(data.consumeInt(0, MAX_SPLICE)));
  }

  // ---- helpers ----

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static List<String> shippedConfigs() {
    List<String> texts = new ArrayList<>();
    for (String name : SHIPPED_FILES) {
      try {
        texts.add(Files.readString(Path.of("conf", name)));
      } catch (IOException e) {
        throw new UncheckedIOException("the fuzz test runs from the project directory", e);
      }
    }
    return List.copyOf(texts);
  }

  private static List<String> keys() {
    TreeSet<String> keys = new TreeSet<>();
    ConfigLoader.defaults().entrySet().forEach(e -> keys.add(e.getKey()));
    keys.addAll(List.of("model.layers", "model.unknown", "trainin.epochs", "data.input-shap",
        "training.lr-schedule", "training.lr-schedule.kind", "spark", "model.layers.0.type",
        "\"model.layers\"", "a.b.c.d.e.f"));
    return List.copyOf(keys);
  }

  // ---- the seed corpus ----

  /** Named seeds: "valid-*" ones must parse, the others must be refused. */
  public static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (int i = 0; i < SHIPPED.size(); i++) {
      seeds.put("valid-shipped-" + i, shipped(i).toBytes(PARSE_JOB));
    }
    seeds.put("valid-sections-text", text("data.input-shape = [3]\n"
        + "model.layers = [{ type = dense, units = 2 }, { type = softmax }]\n"
        + "training { optimizer = nesterov, lr-schedule { type = step, step-iterations = 10 } }")
        .toBytes(PARSE_SECTIONS));
    seeds.put("valid-override", shipped(2).override(keyIndex("training.epochs"), "2")
        .toBytes(PARSE_JOB));
    seeds.put("wrong-type-units", shipped(2).setValue(lineOf(2, "units = 128"), "\"x\"")
        .toBytes(PARSE_JOB));
    seeds.put("wrong-type-list", shipped(1).setValue(lineOf(1, "input-shape"), "{}")
        .toBytes(PARSE_JOB));
    seeds.put("unknown-layer-type", shipped(2).setValue(lineOf(2, "units = 64"), "[{ type = lstm }]")
        .toBytes(PARSE_JOB));
    seeds.put("unknown-key", shipped(1).insert(0, keyIndex("trainin.epochs"), "3").toBytes(PARSE_JOB));
    seeds.put("huge-number", shipped(0).setValue(lineOf(0, "epochs"), "2147483648").toBytes(PARSE_JOB));
    seeds.put("undefined-substitution", shipped(1).setValue(lineOf(1, "batch-size"),
        "${undefined}").toBytes(PARSE_JOB));
    seeds.put("bad-override", shipped(0).override(keyIndex("training.optimizer"), "x")
        .toBytes(PARSE_JOB));
    seeds.put("not-hocon", text("model { layers = [ { type = dense").toBytes(PARSE_JOB));
    seeds.put("sections-bad-schedule", text("training.lr-schedule { type = cosine,"
        + " min-learning-rate = 1 }").toBytes(PARSE_SECTIONS));
    return seeds;
  }

  private static int keyIndex(String key) {
    return KEYS.indexOf(key);
  }

  private static int valueIndex(String value) {
    int i = VALUES.indexOf(value);
    if (i < 0) {
      throw new IllegalArgumentException(value + " is not in VALUES");
    }
    return i;
  }

  /** The index of the first line of shipped config {@code conf} that contains {@code text}. */
  private static int lineOf(int conf, String text) {
    String[] lines = SHIPPED.get(conf).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(text)) {
        return i;
      }
    }
    throw new IllegalArgumentException(text + " is not in shipped config " + conf);
  }

  private static Seed shipped(int conf) {
    return new Seed(conf + 1, null);
  }

  private static Seed text(String text) {
    return new Seed(SOURCE_TEXT, text);
  }

  /** Writes a seed in the order {@link #read} consumes it. */
  private static final class Seed {
    private final int source;
    private final String text;
    private final List<SeedPart> mutations = new ArrayList<>();
    private final List<SeedPart> overrides = new ArrayList<>();

    private interface SeedPart extends java.util.function.Consumer<SeedWriter> {}

    Seed(int source, String text) {
      this.source = source;
      this.text = text;
    }

    Seed setValue(int line, String value) {
      mutations.add(w -> w.intInRange(LINE_SET_VALUE, LINE_SPLICE, LINE_SET_VALUE)
          .intInRange(0, lines() - 1, line).bool(true)
          .intInRange(0, VALUES.size() - 1, valueIndex(value)));
      return this;
    }

    Seed insert(int line, int key, String value) {
      mutations.add(w -> w.intInRange(LINE_SET_VALUE, LINE_SPLICE, LINE_INSERT)
          .intInRange(0, lines() - 1, line).intInRange(0, KEYS.size() - 1, key).bool(false)
          .sizedText(MAX_SPLICE, value));
      return this;
    }

    Seed override(int key, String value) {
      overrides.add(w -> w.bool(true).intInRange(0, KEYS.size() - 1, key).bool(false)
          .sizedText(MAX_SPLICE, value));
      return this;
    }

    private int lines() {
      return SHIPPED.get(source - 1).split("\n", -1).length; // one mutation per seed
    }

    byte[] toBytes(int parser) {
      SeedWriter w = new SeedWriter().intInRange(SOURCE_TEXT, SHIPPED.size(), source);
      if (source == SOURCE_TEXT) {
        w.sizedText(MAX_TEXT, text);
      } else {
        w.intInRange(0, 4, mutations.size());
        mutations.forEach(m -> m.accept(w));
      }
      w.intInRange(0, 2, overrides.size());
      overrides.forEach(o -> o.accept(w));
      return w.intInRange(PARSE_JOB, PARSE_SECTIONS, parser).toBytes();
    }
  }
}
