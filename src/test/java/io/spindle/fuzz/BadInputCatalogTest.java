package io.spindle.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.spindle.cli.SpindleCli;
import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.config.NetworkConfig;
import io.spindle.config.SpindleConfigException;
import io.spindle.data.DataFormatException;
import io.spindle.data.MnistIdx;
import io.spindle.data.Md5Sums;
import io.spindle.io.ModelFormatException;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad or hostile input tried against the three readers, each read twice: by the reader
 * itself, which must throw its documented exception, and by the CLI command a user would run
 * ({@code train} for data, {@code summary --model} for models, {@code summary --config} for
 * configs), which must print one error line and exit with code 2. The table of inputs,
 * exceptions, messages and exit codes is written to {@code target/bad-inputs.md} and printed,
 * so the messages in it are the real ones.
 */
class BadInputCatalogTest {

  @TempDir
  Path tmp;

  /** One row: what was tried, how the reader is called, and the CLI arguments. */
  record Row(String reader, String input, Class<? extends Throwable> documented,
      Callable<?> direct, List<String> cli) {}

  @Test
  void everyBadInputIsRefusedClearlyByTheReaderAndTheCli() throws Exception {
    List<Row> rows = new ArrayList<>();
    rows.addAll(idxRows());
    rows.addAll(modelRows());
    rows.addAll(configRows());

    StringBuilder table = new StringBuilder("| reader | bad input | exception | message shown"
        + " by the CLI | exit code |\n|---|---|---|---|---|\n");
    for (Row row : rows) {
      Throwable thrown = null;
      try {
        row.direct().call();
      } catch (Throwable t) {
        thrown = t;
      }
      if (!row.documented().isInstance(thrown)) {
        fail(row.input() + ": expected " + row.documented().getSimpleName() + ", got " + thrown,
            thrown);
      }
      FuzzSupport.requireUsableMessage(thrown, null);

      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
      int code = SpindleCli.run(row.cli().toArray(String[]::new),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), errStream);
      String shown = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(2, code, row.input() + ": exit code; stderr: " + shown);
      assertFalse(shown.contains("\n") || shown.contains("\r"), row.input() + ": one line: " + shown);
      assertFalse(shown.contains("--verbose"), row.input() + ": an expected error: " + shown);
      assertTrue(shown.contains(firstWords(thrown.getMessage())),
          row.input() + ": the CLI shows the reader's message: " + shown);

      table.append("| ").append(row.reader()).append(" | ").append(cell(row.input()))
          .append(" | ").append(thrown.getClass().getSimpleName()).append(" | ")
          .append(cell(shown.replace(tmp.toString(), "…"))).append(" | ").append(code)
          .append(" |\n");
    }
    Path out = Path.of("target", "bad-inputs.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println(table);
  }

  // ---- idx files, read by `spindle train` before Spark starts ----

  private List<Row> idxRows() throws IOException {
    Path conf = write("tiny.conf", """
        data { input-shape = [1, 2, 2], test = "" }
        model.layers = [{ type = flatten }, { type = dense, units = 10 }]
        """);
    byte[] pixels = new byte[3 * 4];
    Path images = write("images-idx3-ubyte", idx(MnistIdx.IMAGES_MAGIC, new int[] {3, 2, 2}, pixels));
    Path labels = write("labels-idx1-ubyte", idx(MnistIdx.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 3}));
    byte[] validImages = Files.readAllBytes(images);
    byte[] validLabels = Files.readAllBytes(labels);
    List<Row> rows = new ArrayList<>();
    class Idx {
      void images(String input, byte[] content) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("idx-" + rows.size()));
        Path im = Files.write(dir.resolve("images-idx3-ubyte"), content);
        Path lb = Files.write(dir.resolve("labels-idx1-ubyte"), validLabels);
        pair(input, im, lb);
      }

      void labels(String input, byte[] content) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("idx-" + rows.size()));
        Path im = Files.write(dir.resolve("images-idx3-ubyte"), validImages);
        Path lb = Files.write(dir.resolve("labels-idx1-ubyte"), content);
        pair(input, im, lb);
      }

      void pair(String input, Path im, Path lb) {
        rows.add(new Row("idx", input, DataFormatException.class, () -> MnistIdx.load(im, lb),
            List.of("train", "--config", conf.toString(), "--output", tmp.resolve("out").toString(),
                "--set", "data.train=" + im, "--set", "data.train-labels=" + lb)));
      }
    }
    Idx idx = new Idx();
    idx.labels("bad magic number 0x12345678", idx(0x12345678, new int[] {3}, new byte[3]));
    idx.images("a labels file given as images", validLabels);
    idx.images("element type 0x0D (float idx)", idx(0x00000D03, new int[] {3, 2, 2}, new byte[48]));
    idx.images("magic declaring 4 dimensions", idx(0x00000804, new int[] {3, 2, 2, 1}, pixels));
    idx.labels("empty file", new byte[0]);
    idx.images("header cut off after 10 bytes", Arrays.copyOf(validImages, 10));
    idx.images("truncated payload (raw): 5 of 12 bytes",
        Arrays.copyOf(validImages, validImages.length - 7));
    idx.images("truncated payload inside a complete gzip stream",
        FuzzSupport.gzip(Arrays.copyOf(validImages, validImages.length - 7)));
    byte[] gz = FuzzSupport.gzip(validImages);
    idx.images("gzip stream cut in half", Arrays.copyOf(gz, gz.length / 2));
    byte[] flipped = gz.clone();
    flipped[12] ^= 0x55;
    idx.images("one byte of the gzip data flipped", flipped);
    idx.images("header declares 2^31 images (raw, 28x28)",
        idx(MnistIdx.IMAGES_MAGIC, new int[] {1 << 31, 28, 28}, new byte[784]));
    idx.images("header declares 2^31 images (gzip, 28x28)",
        FuzzSupport.gzip(idx(MnistIdx.IMAGES_MAGIC, new int[] {1 << 31, 28, 28}, new byte[784])));
    idx.labels("header declares 2^32-1 labels (gzip)",
        FuzzSupport.gzip(idx(MnistIdx.LABELS_MAGIC, new int[] {-1}, new byte[3])));
    idx.images("60000 images declared in a 100-byte gzip file",
        FuzzSupport.gzip(idx(MnistIdx.IMAGES_MAGIC, new int[] {60000, 28, 28}, new byte[64])));
    idx.images("images of 1x1048576 pixels", idx(MnistIdx.IMAGES_MAGIC, new int[] {3, 1, 1 << 20}, pixels));
    idx.images("0 images", idx(MnistIdx.IMAGES_MAGIC, new int[] {0, 2, 2}, new byte[0]));
    idx.labels("7 trailing bytes (raw)", Arrays.copyOf(validLabels, validLabels.length + 7));
    idx.labels("7 trailing bytes inside the gzip stream",
        FuzzSupport.gzip(Arrays.copyOf(validLabels, validLabels.length + 7)));
    idx.labels("3 images but 2 labels", idx(MnistIdx.LABELS_MAGIC, new int[] {2}, new byte[2]));

    Path sumsDir = Files.createDirectories(tmp.resolve("idx-sums"));
    Path im = Files.write(sumsDir.resolve("images-idx3-ubyte"), validImages);
    Path lb = Files.write(sumsDir.resolve("labels-idx1-ubyte"), validLabels);
    Files.writeString(sumsDir.resolve(Md5Sums.FILE_NAME), Md5Sums.md5Hex(im)
        + "  images-idx3-ubyte\n" + "0".repeat(32) + "  labels-idx1-ubyte\n");
    idx.pair("checksum mismatch (MD5SUMS beside the files)", im, lb);
    Path badSums = Files.createDirectories(tmp.resolve("idx-bad-sums"));
    Path im2 = Files.write(badSums.resolve("images-idx3-ubyte"), validImages);
    Path lb2 = Files.write(badSums.resolve("labels-idx1-ubyte"), validLabels);
    Files.writeString(badSums.resolve(Md5Sums.FILE_NAME), "not-hex\r labels-idx1-ubyte\n");
    idx.pair("malformed MD5SUMS line with a carriage return", im2, lb2);
    Path dirAsFile = Files.createDirectories(tmp.resolve("idx-dir").resolve("labels-idx1-ubyte"));
    rows.add(new Row("idx", "a directory as the labels file", DataFormatException.class,
        () -> MnistIdx.load(images, dirAsFile), List.of("train", "--config", conf.toString(),
            "--output", tmp.resolve("out").toString(), "--set", "data.train=" + images,
            "--set", "data.train-labels=" + dirAsFile)));
    return rows;
  }

  // ---- model directories, read by `spindle summary --model` ----

  private List<Row> modelRows() throws IOException {
    NetworkSpec spec = NetworkConfig.parse(ConfigFactory.parseString("data.input-shape = [4]\n"
        + "model.layers = [{ type = dense, units = 3 }, { type = relu }, { type = dense, units = 2 }]"));
    float[] params = spec.initParams(1);
    List<Row> rows = new ArrayList<>();
    class Models {
      Path fresh() throws IOException {
        Path dir = tmp.resolve("model-" + rows.size());
        SpindleModel.save(dir, spec, params, Map.of());
        return dir;
      }

      Path edited(String from, String to) throws IOException {
        Path dir = fresh();
        Path json = dir.resolve("model.json");
        String text = Files.readString(json);
        assertTrue(text.contains(from), from);
        Files.writeString(json, text.replace(from, to));
        return dir;
      }

      void add(String input, Path dir) {
        rows.add(new Row("model", input, ModelFormatException.class, () -> SpindleModel.load(dir),
            List.of("summary", "--model", dir.toString())));
      }
    }
    Models m = new Models();
    m.add("no such directory", tmp.resolve("no-model"));
    Path noJson = m.fresh();
    Files.delete(noJson.resolve("model.json"));
    m.add("model.json missing", noJson);
    Path noParams = m.fresh();
    Files.delete(noParams.resolve("parameters.f32"));
    m.add("parameters.f32 missing", noParams);
    Path paramsDir = m.fresh();
    Files.delete(paramsDir.resolve("parameters.f32"));
    Files.createDirectory(paramsDir.resolve("parameters.f32"));
    m.add("parameters.f32 is a directory", paramsDir);
    Path garbage = m.fresh();
    Files.writeString(garbage.resolve("model.json"), "{ \"format\": \"spindle-model\", version: 1");
    m.add("model.json is not JSON", garbage);
    Path array = m.fresh();
    Files.writeString(array.resolve("model.json"), "[1, 2, 3]");
    m.add("model.json is a JSON array", array);
    Path huge = m.fresh();
    try (RandomAccessFile f = new RandomAccessFile(huge.resolve("model.json").toFile(), "rw")) {
      f.setLength(17L << 20); // sparse: nothing is written
    }
    m.add("model.json of 17 MiB", huge);
    m.add("unknown format version 99", m.edited("\"version\" : 1", "\"version\" : 99"));
    m.add("format version 1.9", m.edited("\"version\" : 1", "\"version\" : 1.9"));
    m.add("format version \"1\" (a string)", m.edited("\"version\" : 1", "\"version\" : \"1\""));
    m.add("no format version", m.edited("\"version\" : 1,", ""));
    m.add("wrong format name", m.edited("\"spindle-model\"", "\"keras\""));
    m.add("declared count 2147483647", m.edited("\"count\" : 23", "\"count\" : 2147483647"));
    m.add("declared count 2^63-1", m.edited("\"count\" : 23", "\"count\" : 9223372036854775807"));
    m.add("declared count 1e400", m.edited("\"count\" : 23", "\"count\" : 1e400"));
    m.add("declared count -4", m.edited("\"count\" : 23", "\"count\" : -4"));
    m.add("declared count 24 (file holds 23)", m.edited("\"count\" : 23", "\"count\" : 24"));
    m.add("dtype float64", m.edited("\"float32\"", "\"float64\""));
    m.add("parameters file \"../parameters.f32\"",
        m.edited("\"file\" : \"parameters.f32\"", "\"file\" : \"../parameters.f32\""));
    m.add("network edited (units 3 -> 4): it needs more parameters than the 23 stored",
        m.edited("\"units\" : 3", "\"units\" : 4"));
    m.add("unknown layer type in the network", m.edited("\"relu\"", "\"lstm\""));
    m.add("no network", m.edited("\"network\"", "\"netwerk\""));
    Path cut = m.fresh();
    try (RandomAccessFile f = new RandomAccessFile(cut.resolve("parameters.f32").toFile(), "rw")) {
      f.setLength(50);
    }
    m.add("parameters.f32 truncated to 50 bytes", cut);
    Path flipped = m.fresh();
    try (RandomAccessFile f = new RandomAccessFile(flipped.resolve("parameters.f32").toFile(), "rw")) {
      f.seek(17);
      f.write(0x5A);
    }
    m.add("checksum mismatch (one parameter byte changed)", flipped);
    return rows;
  }

  // ---- configs, read by `spindle summary --config` ----

  private List<Row> configRows() throws IOException {
    String base = """
        data.input-shape = [1, 28, 28]
        model.layers = [
          { type = flatten }
          { type = dense, units = 10 }
        ]
        """;
    List<Row> rows = new ArrayList<>();
    class Configs {
      void add(String input, String text, String... overrides) throws IOException {
        Path file = write("job-" + rows.size() + ".conf", text);
        List<String> cli = new ArrayList<>(List.of("summary", "--config", file.toString()));
        for (String o : overrides) {
          cli.add("--set");
          cli.add(o);
        }
        rows.add(new Row("config", input, SpindleConfigException.class,
            () -> JobConfig.from(ConfigLoader.load(file, List.of(overrides))), cli));
      }

      void layer(String input, String layer) throws IOException {
        add(input, base.replace("{ type = dense, units = 10 }", layer));
      }
    }
    Configs c = new Configs();
    c.layer("wrong type: units = \"ten\"", "{ type = dense, units = \"ten\" }");
    c.layer("wrong type: units = 10.5", "{ type = dense, units = 10.5 }");
    c.layer("wrong type: kernel = [5, 5, 5]", "{ type = conv2d, filters = 6, kernel = [5, 5, 5] }");
    c.layer("unknown layer type lstm", "{ type = lstm, units = 10 }");
    c.layer("misspelt layer type (desne)", "{ type = desne, units = 10 }");
    c.layer("layer without a type", "{ units = 10 }");
    c.layer("unknown layer key (unit)", "{ type = dense, unit = 10 }");
    c.layer("layer that is not an object", "dense");
    c.add("layers is not a list", "data.input-shape = [4]\nmodel.layers = { type = dense }");
    c.add("no layers", "data.input-shape = [4]\nmodel.layers = []");
    c.add("unknown top-level key (trainin.epochs)", base + "trainin.epochs = 3\n");
    c.add("unknown key in a section (training.epoch)", base + "training.epoch = 3\n");
    c.add("wrong type: input-shape = {}", base.replace("[1, 28, 28]", "{}"));
    c.add("input-shape with 2 dimensions", base.replace("[1, 28, 28]", "[28, 28]"));
    c.add("input-shape over 2^31 values", base.replace("[1, 28, 28]", "[65536, 65536, 65536]"));
    c.add("epochs = 2147483648", base + "training.epochs = 2147483648\n");
    c.add("batch-size = 0", base + "training.batch-size = 0\n");
    c.add("learning-rate = -0.1", base + "training.learning-rate = -0.1\n");
    c.add("learning-rate = NaN", base + "training.learning-rate = NaN\n");
    c.add("unknown optimizer (adam2)", base + "training.optimizer = adam2\n");
    c.add("unknown loss", base.replace("model.layers", "model.loss = hinge\nmodel.layers"));
    c.layer("dropout rate = 1", "{ type = dropout, rate = 1 }");
    c.add("conv kernel larger than the input",
        base.replace("{ type = flatten }", "{ type = conv2d, filters = 6, kernel = 50 }"));
    c.add("pooling padding over half the window",
        base.replace("{ type = flatten }", "{ type = max-pool, size = 2, padding = 2 }"));
    c.layer("over 2^31 parameters (units = 2147483647)", "{ type = dense, units = 2147483647 }");
    c.add("cosine min-learning-rate above learning-rate", base
        + "training { learning-rate = 0.01, lr-schedule { type = cosine, min-learning-rate = 1 } }\n");
    c.add("undefined substitution ${undefined}", base + "training.epochs = ${undefined}\n");
    c.add("syntax error (unclosed list)", "model.layers = [ { type = dense");
    c.add("--set without '='", base, "training.epochs");
    c.add("--set of an unknown key", base, "training.epoch=3");
    c.add("--set with a wrong type", base, "training.shuffle=maybe");
    rows.add(new Row("config", "no such config file", SpindleConfigException.class,
        () -> ConfigLoader.load(tmp.resolve("missing.conf"), List.of()),
        List.of("summary", "--config", tmp.resolve("missing.conf").toString())));
    return rows;
  }

  // ---- helpers ----

  private Path write(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  static byte[] idx(int magic, int[] sizes, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + payload.length).putInt(magic);
    for (int s : sizes) {
      b.putInt(s);
    }
    return b.put(payload).array();
  }

  /** The start of a message (the CLI may add a prefix, never change the text). */
  private static String firstWords(String message) {
    return message.length() <= 40 ? message : message.substring(0, 40);
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
