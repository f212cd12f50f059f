package io.spindle.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.spindle.config.NetworkConfig;
import io.spindle.fuzz.FuzzSupport;
import io.spindle.fuzz.SeedWriter;
import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the model reader ({@link ModelStore#read}, and {@link SpindleModel#load}, which adds
 * the network check) with model directories built from the fuzzer's bytes: a valid model (a
 * small MLP or CNN) whose model.json fields are set to other values or removed (numbers at and
 * past the int and long limits, huge and fractional numbers, strings, nulls, containers) and
 * whose bytes are spliced, with its parameters cut, extended or flipped, optionally with count
 * and checksum fixed up to match so the deeper checks are reached; or arbitrary model.json and
 * parameter bytes; with files missing or replaced by directories.
 *
 * <p>The reader may only return a consistent model or throw a {@link ModelFormatException}
 * with a one-line message naming the directory. IOException is documented for disk errors,
 * which a scratch directory does not have, so here it is a finding too. An accepted model must
 * match the bytes on disk: its declared count, SHA-256 and integer version 1, its parameters
 * bit for bit, and (through SpindleModel) its network's parameter count.
 */
public class ModelStoreFuzzTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BYTES = 4096;
  static final int MAX_SPLICE = 64;

  static final String MLP = "data.input-shape = [4]\n"
      + "model.layers = [{ type = dense, units = 3 }, { type = relu }, { type = dense, units = 2 }]";
  static final String CNN = "data.input-shape = [1, 4, 4]\n"
      + "model.layers = [{ type = conv2d, filters = 2, kernel = 3 }, { type = relu },"
      + " { type = max-pool, size = 2 }, { type = flatten }, { type = dense, units = 2 }]";

  /** The fields a mutation may set or remove, as paths into model.json. */
  static final List<String> PATHS = List.of("format", "version", "parameters",
      "parameters.count", "parameters.dtype", "parameters.byte-order", "parameters.file",
      "parameters.sha256", "network", "network.data", "network.data.input-shape",
      "network.data.input-shape[0]", "network.model", "network.model.loss",
      "network.model.layers", "network.model.layers[0]", "network.model.layers[0].type",
      "network.model.layers[0].units", "network.model.layers[0].kernel",
      "network.model.layers[1]", "network.model.layers[1].type", "metadata");
  static final long[] SPECIAL_LONGS = {0, -1, 1, 2, 23, 26, Integer.MAX_VALUE - 8L,
      Integer.MAX_VALUE, 1L << 31, 1L << 32, (1L << 31) / 4 + 1, Long.MAX_VALUE, Long.MIN_VALUE};
  static final double[] SPECIAL_DOUBLES = {0.5, 1.0, 1.9, -0.0, 23.0, 1e308, 4.9e-324, 2.5e9};
  static final List<String> STRINGS = List.of("1", "23", "spindle-model", "float32",
      "little-endian", "parameters.f32", "../parameters.f32", "dense", "conv2d", "relu",
      "softmax-cross-entropy", "", "x\ny", "2147483648");

  /** A small valid model of each network, as the bytes of its two files. */
  static final List<Template> TEMPLATES = List.of(Template.of(MLP), Template.of(CNN));

  record Template(byte[] descriptor, byte[] parameters) {
    static Template of(String hocon) {
      NetworkSpec spec = NetworkConfig.parse(ConfigFactory.parseString(hocon));
      float[] params = spec.initParams(7);
      params[0] = Float.MIN_VALUE; // denormals and extremes must survive bit for bit
      params[1] = Float.NaN;
      Path dir = FuzzSupport.emptyDir("template").resolve("model");
      try {
        SpindleModel.save(dir, spec, params, Map.of("note", "fuzz template"));
        return new Template(Files.readAllBytes(dir.resolve(ModelStore.DESCRIPTOR)),
            Files.readAllBytes(dir.resolve(ModelStore.PARAMETERS)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The base of an input: one of the templates, or arbitrary bytes. */
  static final int BASE_SCRATCH = 2;

  /** How a file of the model directory is made. */
  static final int FILE_WRITTEN = 0;
  static final int FILE_MISSING = 1;
  static final int FILE_DIRECTORY = 2;

  /** Which entry point reads the directory. */
  static final int READ_SPINDLE_MODEL = 0;
  static final int READ_STORE_UNCHECKED = 1;
  static final int READ_STORE_SKIP = 2;

  /** What a tree mutation sets a field to. */
  static final int SET_REMOVE = 0;
  static final int SET_SMALL_INT = 1;
  static final int SET_SPECIAL_LONG = 2;
  static final int SET_DOUBLE = 3;
  static final int SET_HUGE_NUMBER = 4;
  static final int SET_FUZZED_STRING = 5;
  static final int SET_NULL = 6;
  static final int SET_BOOLEAN = 7;
  static final int SET_EMPTY_CONTAINER = 8;
  static final int SET_KNOWN_STRING = 9;

  /** What a byte mutation does to model.json or the parameters. */
  static final int BYTES_SPLICE = 0;
  static final int BYTES_CUT = 1;
  static final int BYTES_APPEND = 2;
  static final int BYTES_FLIP = 3;

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({"\"format\"", "\"version\"", "\"parameters\"", "\"count\"", "\"sha256\"",
      "\"network\"", "\"layers\"", "\"type\"", "\"units\"", "spindle-model", "float32",
      "little-endian", "parameters.f32", "2147483647", "9223372036854775807", "1e400", "null",
      "[[[[[[[[", "{\"a\":{\"a\":{"})
  void modelDirectory(FuzzedDataProvider data) {
    read(data, FuzzSupport.emptyDir("model"));
  }

  /**
   * Builds the model directory {@code data} describes under {@code root} and reads it.
   *
   * @return the result (StoredModel or SpindleModel) or the ModelFormatException thrown
   */
  public static Object read(FuzzedDataProvider data, Path root) {
    Path dir = root.resolve("model");
    int base = data.consumeInt(0, BASE_SCRATCH);
    byte[] descriptor;
    byte[] parameters;
    if (base < BASE_SCRATCH) {
      Template t = TEMPLATES.get(base);
      ObjectNode tree = (ObjectNode) parse(t.descriptor());
      for (int n = data.consumeInt(0, 4); n > 0; n--) {
        setField(data, tree);
      }
      parameters = mutateBytes(data, t.parameters());
      if (data.consumeBoolean()) {
        fixUp(tree, parameters);
      }
      descriptor = mutateBytes(data, bytes(tree));
    } else {
      descriptor = data.consumeBytes(data.consumeInt(0, MAX_BYTES));
      parameters = data.consumeBytes(data.consumeInt(0, MAX_BYTES));
      JsonNode tree = parse(descriptor);
      if (data.consumeBoolean() && tree instanceof ObjectNode o) {
        fixUp(o, parameters);
        descriptor = bytes(o);
      }
    }
    int descriptorForm = data.consumeInt(FILE_WRITTEN, FILE_DIRECTORY);
    int parametersForm = data.consumeInt(FILE_WRITTEN, FILE_DIRECTORY);
    try {
      Files.createDirectories(dir);
      write(dir.resolve(ModelStore.DESCRIPTOR), descriptorForm, descriptor);
      write(dir.resolve(ModelStore.PARAMETERS), parametersForm, parameters);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    int reader = data.consumeInt(READ_SPINDLE_MODEL, READ_STORE_SKIP);
    Object result;
    try {
      result = switch (reader) {
        case READ_SPINDLE_MODEL -> SpindleModel.load(dir);
        case READ_STORE_UNCHECKED -> ModelStore.read(dir, null);
        default -> ModelStore.read(dir, network -> -1);
      };
    } catch (ModelFormatException e) {
      FuzzSupport.requireUsableMessage(e, dir.toString());
      return e;
    } catch (IOException e) {
      throw new AssertionError("IOException from a readable scratch directory", e);
    }
    float[] params = result instanceof SpindleModel m ? m.params()
        : ((ModelStore.StoredModel) result).params();
    checkAccepted(dir, params);
    if (result instanceof SpindleModel m) {
      check(m.spec().paramCount() == params.length, "the network's parameter count");
    }
    return result;
  }

  // ---- building the directory ----

  private static void setField(FuzzedDataProvider data, ObjectNode root) {
    String path = PATHS.get(data.consumeInt(0, PATHS.size() - 1));
    int kind = data.consumeInt(SET_REMOVE, SET_KNOWN_STRING);
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonNode value = switch (kind) {
      case SET_REMOVE -> null;
      case SET_SMALL_INT -> f.numberNode(data.consumeInt(-3, 300));
      case SET_SPECIAL_LONG -> f.numberNode(SPECIAL_LONGS[data.consumeInt(0, SPECIAL_LONGS.length - 1)]);
      case SET_DOUBLE -> f.numberNode(SPECIAL_DOUBLES[data.consumeInt(0, SPECIAL_DOUBLES.length - 1)]);
      case SET_HUGE_NUMBER -> data.consumeBoolean()
          ? f.numberNode(BigInteger.TWO.pow(80).add(BigInteger.valueOf(23)))
          : f.numberNode(new BigDecimal("1e400"));
      case SET_FUZZED_STRING -> f.textNode(new String(data.consumeBytes(data.consumeInt(0, 64)),
          StandardCharsets.UTF_8));
      case SET_NULL -> f.nullNode();
      case SET_BOOLEAN -> f.booleanNode(data.consumeBoolean());
      case SET_EMPTY_CONTAINER -> data.consumeBoolean() ? f.objectNode() : f.arrayNode();
      default -> f.textNode(STRINGS.get(data.consumeInt(0, STRINGS.size() - 1)));
    };
    set(root, path, value);
  }

  /** Sets (or with null removes) the field at {@code path}; no-op when its parent is absent. */
  static void set(ObjectNode root, String path, JsonNode value) {
    String[] parts = path.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1 && parent != null; i++) {
      parent = child(parent, parts[i]);
    }
    String last = parts[parts.length - 1];
    int bracket = last.indexOf('[');
    if (bracket >= 0) {
      parent = parent == null ? null : parent.get(last.substring(0, bracket));
      int index = Integer.parseInt(last.substring(bracket + 1, last.length() - 1));
      if (parent instanceof ArrayNode a && index < a.size()) {
        if (value == null) {
          a.remove(index);
        } else {
          a.set(index, value);
        }
      }
    } else if (parent instanceof ObjectNode o) {
      if (value == null) {
        o.remove(last);
      } else {
        o.set(last, value);
      }
    }
  }

  private static JsonNode child(JsonNode node, String part) {
    int bracket = part.indexOf('[');
    if (bracket < 0) {
      return node.get(part);
    }
    JsonNode list = node.get(part.substring(0, bracket));
    return list == null ? null : list.get(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
  }

  /** Count and checksum made to match {@code parameters}, so the checks after them are reached. */
  static void fixUp(ObjectNode root, byte[] parameters) {
    if (root.get("parameters") instanceof ObjectNode p) {
      p.put("count", parameters.length / 4);
      p.put("sha256", sha256(parameters));
    }
  }

  private static byte[] mutateBytes(FuzzedDataProvider data, byte[] original) {
    return FuzzSupport.mutateBytes(data, original, MAX_SPLICE);
  }

  private static void write(Path file, int form, byte[] bytes) throws IOException {
    switch (form) {
      case FILE_WRITTEN -> Files.write(file, bytes);
      case FILE_DIRECTORY -> Files.createDirectory(file);
      default -> { }
    }
  }

  // ---- checking an accepted model against the files ----

  private static void checkAccepted(Path dir, float[] params) {
    try {
      JsonNode root = JSON.readTree(dir.resolve(ModelStore.DESCRIPTOR).toFile());
      byte[] raw = Files.readAllBytes(dir.resolve(ModelStore.PARAMETERS));
      JsonNode version = root.path("version");
      // The fuzzed models have no state: version 1, or 2 only with a "state" section.
      check(version.isIntegralNumber() && (version.asLong() == ModelStore.VERSION_WITHOUT_STATE
          || version.asLong() == ModelStore.VERSION && root.path("state").isObject()),
          "format version " + version + " accepted");
      JsonNode p = root.path("parameters");
      check(p.path("count").isIntegralNumber() && p.path("count").asLong() == params.length,
          "declared count");
      check(raw.length == 4L * params.length, "file length");
      check(p.path("sha256").isTextual() && p.path("sha256").asText().equals(sha256(raw)),
          "checksum");
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < params.length; i++) {
        check(Float.floatToRawIntBits(params[i]) == b.getInt(), "parameter " + i + " bit for bit");
      }
    } catch (IOException e) {
      throw new AssertionError("the accepted model.json does not parse", e);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("accepted an inconsistent model: " + what);
    }
  }

  // ---- helpers ----

  static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  static byte[] bytes(JsonNode tree) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the seed corpus ----

  /** Named seeds: "valid-*" ones must load, the others must be refused. */
  public static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("valid-mlp", template(0).reader(READ_SPINDLE_MODEL));
    seeds.put("valid-cnn-unchecked", template(1).reader(READ_STORE_UNCHECKED));
    seeds.put("valid-edited-metadata", template(0).set("metadata", SET_KNOWN_STRING, 2)
        .reader(READ_SPINDLE_MODEL));
    seeds.put("checksum-mismatch", template(0).flipParameter(5).reader(READ_SPINDLE_MODEL));
    seeds.put("wrong-parameter-count", template(0).set("network.model.layers[0].units",
        SET_SMALL_INT, 4).reader(READ_SPINDLE_MODEL));
    seeds.put("missing-parameters", template(1).files(FILE_WRITTEN, FILE_MISSING)
        .reader(READ_STORE_UNCHECKED));
    seeds.put("missing-descriptor", template(1).files(FILE_MISSING, FILE_WRITTEN)
        .reader(READ_SPINDLE_MODEL));
    seeds.put("parameters-is-a-directory", template(0).files(FILE_WRITTEN, FILE_DIRECTORY)
        .reader(READ_SPINDLE_MODEL));
    seeds.put("huge-count", template(0).set("parameters.count", SET_SPECIAL_LONG, 7)
        .reader(READ_STORE_UNCHECKED));
    seeds.put("count-past-long", template(1).set("parameters.count", SET_HUGE_NUMBER, 1)
        .reader(READ_STORE_UNCHECKED));
    seeds.put("unknown-version", template(0).set("version", SET_SMALL_INT, 2)
        .reader(READ_SPINDLE_MODEL));
    seeds.put("fractional-version", template(0).set("version", SET_DOUBLE, 2)
        .reader(READ_SPINDLE_MODEL));
    seeds.put("unknown-layer-type", template(1).set("network.model.layers[1].type",
        SET_KNOWN_STRING, 7).reader(READ_SPINDLE_MODEL));
    seeds.put("truncated-parameters-fixed-up", template(1).cutParameters(40).fixUp()
        .reader(READ_SPINDLE_MODEL));
    seeds.put("not-json", new SeedWriter().intInRange(0, BASE_SCRATCH, BASE_SCRATCH)
        .sizedText(MAX_BYTES, "{ \"format\": \"spindle-model\", version: 1 ")
        .sizedBytes(MAX_BYTES, new byte[8]).bool(false)
        .intInRange(FILE_WRITTEN, FILE_DIRECTORY, FILE_WRITTEN)
        .intInRange(FILE_WRITTEN, FILE_DIRECTORY, FILE_WRITTEN)
        .intInRange(READ_SPINDLE_MODEL, READ_STORE_SKIP, READ_SPINDLE_MODEL).toBytes());
    return seeds;
  }

  private static SeedBuilder template(int which) {
    return new SeedBuilder(which);
  }

  /** Writes a template-based seed in the order {@link #read} consumes it. */
  private static final class SeedBuilder {
    private final int template;
    private final List<int[]> sets = new java.util.ArrayList<>();
    private final SeedWriter parameterBytes = new SeedWriter();
    private int parameterMutations;
    private boolean fixUp;
    private int descriptorForm = FILE_WRITTEN;
    private int parametersForm = FILE_WRITTEN;

    SeedBuilder(int template) {
      this.template = template;
    }

    /** Sets {@code path} with value kind {@code kind}, choosing entry {@code choice}. */
    SeedBuilder set(String path, int kind, int choice) {
      sets.add(new int[] {PATHS.indexOf(path), kind, choice});
      return this;
    }

    SeedBuilder flipParameter(int at) {
      parameterMutations++;
      parameterBytes.intInRange(BYTES_SPLICE, BYTES_FLIP, BYTES_FLIP)
          .intInRange(0, TEMPLATES.get(template).parameters().length, at).intInRange(1, 255, 0x40);
      return this;
    }

    SeedBuilder cutParameters(int at) {
      parameterMutations++;
      parameterBytes.intInRange(BYTES_SPLICE, BYTES_FLIP, BYTES_CUT)
          .intInRange(0, TEMPLATES.get(template).parameters().length, at);
      return this;
    }

    SeedBuilder fixUp() {
      fixUp = true;
      return this;
    }

    SeedBuilder files(int descriptor, int parameters) {
      descriptorForm = descriptor;
      parametersForm = parameters;
      return this;
    }

    byte[] reader(int reader) {
      SeedWriter w = new SeedWriter().intInRange(0, BASE_SCRATCH, template)
          .intInRange(0, 4, sets.size());
      for (int[] s : sets) {
        w.intInRange(0, PATHS.size() - 1, s[0]).intInRange(SET_REMOVE, SET_KNOWN_STRING, s[1]);
        switch (s[1]) {
          case SET_SMALL_INT -> w.intInRange(-3, 300, s[2]);
          case SET_SPECIAL_LONG -> w.intInRange(0, SPECIAL_LONGS.length - 1, s[2]);
          case SET_DOUBLE -> w.intInRange(0, SPECIAL_DOUBLES.length - 1, s[2]);
          case SET_HUGE_NUMBER, SET_BOOLEAN -> w.bool(s[2] == 1);
          case SET_KNOWN_STRING -> w.intInRange(0, STRINGS.size() - 1, s[2]);
          default -> throw new IllegalArgumentException("no seed support for kind " + s[1]);
        }
      }
      w.intInRange(0, 2, parameterMutations);
      byte[] p = parameterBytes.toBytes(); // numbers only: they go to the back in order
      for (int i = p.length - 1; i >= 0; i--) {
        w.intInRange(0, 255, p[i] & 0xFF);
      }
      return w.bool(fixUp).intInRange(0, 2, 0)
          .intInRange(FILE_WRITTEN, FILE_DIRECTORY, descriptorForm)
          .intInRange(FILE_WRITTEN, FILE_DIRECTORY, parametersForm)
          .intInRange(READ_SPINDLE_MODEL, READ_STORE_SKIP, reader).toBytes();
    }
  }
}
