package io.spindle.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.config.NetworkConfig;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A directory of checkpoints on any Hadoop {@link FileSystem} ({@code file://}, {@code hdfs://},
 * ..., or a plain path, which is relative to the default file system, the local one unless a
 * Hadoop configuration says otherwise). No Java serialization, nothing loaded by reflection:
 *
 * <pre>
 * DIR/ckpt-000000000120/checkpoint.json     {"format": "spindle-checkpoint", "version": 1,
 *                                            "iteration": 120, "epoch": 2, "step": 0,
 *                                            "schedule": {...}, "epoch-metrics": {...},
 *                                            "history": [...], "network": {...},
 *                                            "parameters": {"count": N, "sha256": ...},
 *                                            "optimizer": {"name": "adam", "state": [...]},
 *                                            "data-fingerprint": "...", "config": {...}}
 * DIR/ckpt-000000000120/parameters.f32       N little-endian float32: the model vector (the
 *                                            parameters, then the network's non-trainable
 *                                            state, e.g. batch-norm running statistics)
 * DIR/ckpt-000000000120/optimizer-m.f32      one file per optimizer state array
 * </pre>
 *
 * <p>Writes go to a hidden temporary directory that is renamed into place when complete (a
 * rename is atomic on HDFS and on a local disk), so a crash or a full disk leaves the earlier
 * checkpoints as they were and no half-written one under a checkpoint name. Reads check the
 * format and version, every declared size against the network and the file lengths before
 * allocating, and every array's SHA-256. File names are never taken from the descriptor.
 */
public final class CheckpointStore {

  public static final String FORMAT = "spindle-checkpoint";
  public static final int VERSION = 1;
  static final String DESCRIPTOR = "checkpoint.json";
  static final String PARAMETERS = "parameters.f32";
  /** checkpoint.json holds the config and epoch history: small; larger is not ours. */
  static final long MAX_DESCRIPTOR_BYTES = 16L << 20;
  static final Pattern CHECKPOINT = Pattern.compile("ckpt-(\\d{12})");
  private static final Pattern TEMPORARY =
      Pattern.compile("\\.ckpt-\\d{12}\\.(tmp|old)-[0-9a-f-]{36}");
  private static final Pattern STATE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final FileSystem fs;
  private final Path dir;

  private CheckpointStore(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /**
   * The checkpoint directory at {@code location} (created when first written).
   *
   * @param conf Hadoop settings (e.g. {@code sc.hadoopConfiguration()}); null for defaults
   */
  public static CheckpointStore open(String location, Configuration conf) throws IOException {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("the checkpoint directory is empty; set checkpoint.dir");
    }
    Configuration c = conf != null ? conf : new Configuration();
    Path path = new Path(location);
    FileSystem fs;
    try {
      fs = path.getFileSystem(c);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot open the file system of checkpoint directory " + location
          + ": " + reason(e) + "; use a local path, a file:// or hdfs:// URI, or a file system"
          + " whose Hadoop connector is on the classpath", e);
    }
    // The local file system's checksummed view adds a .crc beside every file; our own SHA-256
    // covers that, so write the raw files.
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRaw();
    }
    return new CheckpointStore(fs, fs.makeQualified(path));
  }

  /** The directory, fully qualified (e.g. {@code file:/runs/ckpt} or {@code hdfs://nn/ckpt}). */
  public String location() {
    return dir.toString();
  }

  @Override
  public String toString() {
    return location();
  }

  /**
   * Creates the directory, proves it writable with a probe file, and removes temporaries left
   * by a crashed earlier write. Call before training, so a bad directory fails the run at once.
   */
  public void prepare() throws IOException {
    try {
      prepareUnchecked();
    } catch (FSError e) {
      throw asIOException(e);
    }
  }

  private void prepareUnchecked() throws IOException {
    try {
      if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
        throw new IOException(dir + " is a file, not a directory");
      }
      if (!fs.mkdirs(dir)) {
        throw new IOException("cannot create " + dir);
      }
      Path probe = new Path(dir, ".spindle-write-check-" + UUID.randomUUID());
      try (FSDataOutputStream out = fs.create(probe, false)) {
        out.write(1);
      }
      fs.delete(probe, false);
      for (FileStatus s : fs.listStatus(dir)) {
        if (TEMPORARY.matcher(s.getPath().getName()).matches()) {
          fs.delete(s.getPath(), true);
        }
      }
    } catch (IOException e) {
      throw new IOException("checkpoint directory " + dir + " is not writable: "
          + reason(e) + "; choose another checkpoint.dir", e);
    }
  }

  /** Checkpoint directories, newest (most iterations) first; none when the directory is absent. */
  public List<Path> list() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isDirectory() && CHECKPOINT.matcher(s.getPath().getName()).matches()) {
        out.add(s.getPath());
      }
    }
    out.sort(Comparator.comparing((Path p) -> p.getName()).reversed());
    return out;
  }

  /**
   * Writes {@code cp} as {@code ckpt-<iteration>} atomically. A checkpoint of the same iteration
   * (a resumed run repeating it) is replaced.
   *
   * @return the checkpoint's directory
   */
  public Path write(Checkpoint cp) throws IOException {
    try {
      return writeUnchecked(cp);
    } catch (FSError e) {
      throw asIOException(e);
    }
  }

  /**
   * Hadoop's local file system reports a failed write (a full disk, a file size limit) as
   * {@link FSError}, an Error; callers here expect the IOException it wraps.
   */
  private static IOException asIOException(FSError e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause instanceof IOException io ? io : new IOException(reason(cause), e);
  }

  private Path writeUnchecked(Checkpoint cp) throws IOException {
    checkWritable(cp);
    String name = cp.name();
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
    boolean done = false;
    try {
      if (!fs.mkdirs(tmp)) {
        throw new IOException("cannot create " + tmp);
      }
      ObjectNode root = JSON.createObjectNode();
      root.put("format", FORMAT);
      root.put("version", VERSION);
      root.put("created", Instant.now().toString());
      root.put("iteration", cp.iteration());
      root.put("epoch", cp.epoch());
      root.put("step", cp.step());
      ObjectNode schedule = root.putObject("schedule");
      schedule.put("seed", cp.seed());
      schedule.put("shuffle", cp.shuffle());
      schedule.put("batch-size", cp.batchSize());
      ArrayNode sizes = schedule.putArray("partition-sizes");
      for (long s : cp.partitionSizes()) {
        sizes.add(s);
      }
      root.put("data-fingerprint", cp.dataFingerprint());
      ObjectNode em = root.putObject("epoch-metrics");
      em.put("loss-sum", cp.epochMetrics().lossSum);
      em.put("correct", cp.epochMetrics().correct);
      em.put("count", cp.epochMetrics().count);
      ArrayNode history = root.putArray("history");
      for (EpochSummary s : cp.history()) {
        history.add(summaryToJson(s));
      }
      root.set("network", JSON.valueToTree(NetworkConfig.toMap(cp.spec())));
      ObjectNode p = root.putObject("parameters");
      p.put("file", PARAMETERS);
      p.put("count", cp.params().length);
      p.put("dtype", "float32");
      p.put("byte-order", "little-endian");
      p.put("sha256", writeFloats(new Path(tmp, PARAMETERS), cp.params()));
      ObjectNode opt = root.putObject("optimizer");
      opt.put("name", cp.optimizer());
      ArrayNode state = opt.putArray("state");
      for (int i = 0; i < cp.stateNames().size(); i++) {
        String stateName = cp.stateNames().get(i);
        ObjectNode s = state.addObject();
        s.put("name", stateName);
        s.put("file", stateFile(stateName));
        s.put("count", cp.state().get(i).length);
        s.put("sha256", writeFloats(new Path(tmp, stateFile(stateName)), cp.state().get(i)));
      }
      root.set("config", JSON.valueToTree(cp.config()));
      // The descriptor last: a directory without it is never taken for a checkpoint.
      try (FSDataOutputStream out = fs.create(new Path(tmp, DESCRIPTOR), false)) {
        JSON.writeValue(nonClosing(out), root);
        out.hsync();
      }
      // Hadoop's create() re-creates missing parents, so a directory lost mid-save would give
      // a checkpoint without the files written before the loss: check before publishing.
      checkComplete(tmp, cp);
      Path old = null;
      if (fs.exists(target)) {
        old = new Path(dir, "." + name + ".old-" + UUID.randomUUID());
        rename(target, old);
      }
      rename(tmp, target);
      done = true;
      if (old != null) {
        fs.delete(old, true);
      }
      return target;
    } finally {
      if (!done) {
        try {
          fs.delete(tmp, true);
        } catch (IOException | RuntimeException | FSError ignored) {
          // The directory itself may be gone; prepare() removes leftovers next time.
        }
      }
    }
  }

  private void checkComplete(Path tmp, Checkpoint cp) throws IOException {
    Map<String, Integer> files = new LinkedHashMap<>();
    files.put(PARAMETERS, cp.params().length);
    for (int i = 0; i < cp.stateNames().size(); i++) {
      files.put(stateFile(cp.stateNames().get(i)), cp.state().get(i).length);
    }
    for (Map.Entry<String, Integer> f : files.entrySet()) {
      Path p = new Path(tmp, f.getKey());
      long expected = 4L * f.getValue();
      long len;
      try {
        len = fs.getFileStatus(p).getLen();
      } catch (FileNotFoundException e) {
        throw new IOException(p + " disappeared while the checkpoint was written (was the "
            + "directory deleted?)");
      }
      if (len != expected) {
        throw new IOException(p + " holds " + len + " bytes after writing, not " + expected);
      }
    }
    if (!fs.exists(new Path(tmp, DESCRIPTOR))) {
      throw new IOException(new Path(tmp, DESCRIPTOR) + " disappeared while the checkpoint was written");
    }
  }

  private static void checkWritable(Checkpoint cp) {
    for (String n : cp.stateNames()) {
      if (!STATE_NAME.matcher(n).matches()) {
        throw new IllegalArgumentException("optimizer state name '" + n + "' is not a safe file name");
      }
    }
    if (cp.stateNames().size() != cp.state().size()) {
      throw new IllegalArgumentException(cp.stateNames().size() + " state names for "
          + cp.state().size() + " state arrays");
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }

  /**
   * Deletes all but the newest {@code keep} checkpoints, never the one named {@code justWritten}
   * (after a resume, corrupt checkpoints skipped on the way may still be newer than it).
   */
  public void prune(int keep, String justWritten) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    List<Path> all = list();
    for (int i = keep; i < all.size(); i++) {
      if (!all.get(i).getName().equals(justWritten)) {
        fs.delete(all.get(i), true);
      }
    }
  }

  /**
   * Refuses a directory that already holds checkpoints for a new run: its checkpoints would be
   * mixed with another run's, and keeping the newest K could delete them.
   */
  public void requireNoCheckpoints() throws IOException {
    List<Path> all = list();
    if (!all.isEmpty()) {
      throw new IllegalArgumentException("checkpoint directory " + dir + " already holds "
          + all.size() + " checkpoint(s) (newest " + all.get(0).getName() + "); continue that "
          + "run with --resume " + dir + ", or choose an empty checkpoint.dir");
    }
  }

  /** For error messages: what is still safe in the directory (best effort). */
  public String describeIntact() {
    try {
      List<Path> all = list();
      return all.isEmpty() ? "no earlier checkpoint exists in " + dir
          : "the " + all.size() + " checkpoint(s) already there are intact (newest "
              + all.get(0).getName() + ")";
    } catch (IOException | RuntimeException e) {
      return "the checkpoint directory cannot be listed (" + reason(e) + ")";
    }
  }

  /**
   * The newest checkpoint that reads back completely. Corrupt or incomplete newer ones are
   * skipped, each with a warning naming it and why.
   *
   * @throws FormatVersionException when the newest readable descriptor has another format
   *     version (not skipped: it was written by another Spindle release)
   * @throws ModelFormatException when there is no checkpoint, or none is valid
   */
  public Checkpoint latestValid(Consumer<String> warnings) throws IOException {
    List<Path> all = list();
    if (all.isEmpty()) {
      throw new ModelFormatException("no checkpoint in " + dir + " (no ckpt-<iteration> "
          + "directories); check the --resume directory (it is checkpoint.dir of the run)");
    }
    List<String> skipped = new ArrayList<>();
    for (Path p : all) {
      try {
        return read(p);
      } catch (FormatVersionException e) {
        throw e;
      } catch (ModelFormatException | IOException e) {
        String why = p.getName() + " (" + reason(e) + ")";
        skipped.add(why);
        warnings.accept("skipping corrupt checkpoint " + p + ": " + reason(e));
      }
    }
    throw new ModelFormatException("no valid checkpoint in " + dir + "; all " + all.size()
        + " are corrupt: " + String.join("; ", skipped));
  }

  /** Reads and fully validates one checkpoint directory. */
  public Checkpoint read(Path cpDir) throws IOException {
    try {
      return readUnchecked(cpDir);
    } catch (FSError e) {
      throw asIOException(e);
    }
  }

  private Checkpoint readUnchecked(Path cpDir) throws IOException {
    Path desc = new Path(cpDir, DESCRIPTOR);
    FileStatus st;
    try {
      st = fs.getFileStatus(desc);
    } catch (FileNotFoundException e) {
      throw new ModelFormatException(cpDir + " has no " + DESCRIPTOR + "; it is incomplete");
    }
    if (st.getLen() > MAX_DESCRIPTOR_BYTES) {
      throw new ModelFormatException(desc + " is " + st.getLen() + " bytes, over the "
          + MAX_DESCRIPTOR_BYTES + "-byte limit; it is not a Spindle checkpoint descriptor");
    }
    JsonNode root;
    try (InputStream in = fs.open(desc)) {
      root = JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new ModelFormatException(desc + " is not valid JSON: " + firstLine(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new ModelFormatException(desc + " does not declare \"format\": \"" + FORMAT + "\"");
    }
    if (!root.path("version").isInt() || root.path("version").asInt() != VERSION) {
      throw new FormatVersionException(desc + " has format version " + root.path("version")
          + ", but this Spindle reads checkpoint version " + VERSION
          + "; resume with the Spindle release that wrote it");
    }
    Fields f = new Fields(desc, root);
    long iteration = f.longAtLeast(root, "iteration", 0);
    int epoch = f.intAtLeast(root, "epoch", 0);
    int step = f.intAtLeast(root, "step", 0);
    JsonNode schedule = f.object(root, "schedule");
    long seed = f.integer(schedule, "seed");
    boolean shuffle = f.bool(schedule, "shuffle");
    int batchSize = f.intAtLeast(schedule, "batch-size", 1);
    JsonNode sizesNode = f.array(schedule, "partition-sizes");
    if (sizesNode.size() == 0) {
      throw f.bad("schedule.partition-sizes is empty");
    }
    long[] sizes = new long[sizesNode.size()];
    long total = 0;
    for (int i = 0; i < sizes.length; i++) {
      JsonNode s = sizesNode.get(i);
      if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0
          || s.asLong() > Integer.MAX_VALUE) {
        throw f.bad("schedule.partition-sizes[" + i + "] is not a size");
      }
      sizes[i] = s.asLong();
      total += sizes[i];
    }
    if (total == 0) {
      throw f.bad("schedule.partition-sizes are all 0");
    }
    long perEpoch = (total + batchSize - 1) / batchSize;
    if (epoch != iteration / perEpoch || step != iteration % perEpoch) {
      throw f.bad("iteration " + iteration + " is not epoch " + epoch + ", step " + step
          + " of " + perEpoch + " iterations per epoch");
    }
    JsonNode em = f.object(root, "epoch-metrics");
    Metrics epochMetrics = new Metrics().add(f.number(em, "loss-sum"),
        f.longAtLeast(em, "correct", 0), f.longAtLeast(em, "count", 0));
    List<EpochSummary> history = new ArrayList<>();
    for (JsonNode h : f.array(root, "history")) {
      history.add(summaryFromJson(f, h));
    }
    String fingerprint = root.path("data-fingerprint").asText("");
    NetworkSpec spec;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> net = JSON.convertValue(f.object(root, "network"), Map.class);
      spec = NetworkConfig.parse(net);
    } catch (IllegalArgumentException e) {
      throw f.bad("invalid network: " + e.getMessage());
    }
    int paramCount = spec.paramCount();
    JsonNode p = f.object(root, "parameters");
    if (!PARAMETERS.equals(p.path("file").asText()) || !"float32".equals(p.path("dtype").asText())
        || !"little-endian".equals(p.path("byte-order").asText())) {
      throw f.bad("parameters must be float32 little-endian in " + PARAMETERS);
    }
    // The model vector: parameters, then state (NetworkSpec#modelVector).
    int modelSize = spec.modelSize();
    checkCount(f, p, "parameters", modelSize);
    JsonNode opt = f.object(root, "optimizer");
    String optimizer = opt.path("name").asText("");
    if (!STATE_NAME.matcher(optimizer).matches()) {
      throw f.bad("optimizer.name is missing or not a name");
    }
    JsonNode stateNodes = f.array(opt, "state");
    if (stateNodes.size() > 8) {
      throw f.bad("optimizer.state lists " + stateNodes.size() + " arrays; no optimizer keeps more than 8");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode s : stateNodes) {
      String n = s.path("name").asText("");
      if (!STATE_NAME.matcher(n).matches() || names.contains(n)) {
        throw f.bad("optimizer.state name '" + n + "' is missing, repeated or not a name");
      }
      if (!stateFile(n).equals(s.path("file").asText())) {
        throw f.bad("optimizer.state '" + n + "' must be in " + stateFile(n));
      }
      // Every optimizer state array is in the parameter layout.
      checkCount(f, s, "optimizer.state '" + n + "'", paramCount);
      names.add(n);
    }
    // Every size is known and checked; now the file lengths, still before allocating.
    checkLength(new Path(cpDir, PARAMETERS), modelSize);
    for (String n : names) {
      checkLength(new Path(cpDir, stateFile(n)), paramCount);
    }
    float[] params = readFloats(new Path(cpDir, PARAMETERS), modelSize, p.path("sha256").asText());
    List<float[]> state = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      state.add(readFloats(new Path(cpDir, stateFile(names.get(i))), paramCount,
          stateNodes.get(i).path("sha256").asText()));
    }
    JsonNode config = root.path("config");
    @SuppressWarnings("unchecked")
    Map<String, Object> configMap = config.isObject()
        ? JSON.convertValue(config, LinkedHashMap.class) : Map.of();
    return new Checkpoint(iteration, epoch, step, seed, shuffle, batchSize, sizes, epochMetrics,
        List.copyOf(history), spec, params, optimizer, List.copyOf(names), List.copyOf(state),
        configMap, fingerprint, cpDir.toString());
  }

  /** The iteration a checkpoint directory name stands for, or -1. */
  public static long iterationOf(Path cpDir) {
    Matcher m = CHECKPOINT.matcher(cpDir.getName());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  static String stateFile(String name) {
    return "optimizer-" + name + ".f32";
  }

  private static void checkCount(Fields f, JsonNode node, String what, int expected) {
    JsonNode c = node.path("count");
    if (!c.isIntegralNumber() || !c.canConvertToLong()) {
      throw f.bad(what + ".count is missing or not an integer");
    }
    if (c.asLong() != expected) {
      throw f.bad(what + ".count is " + c.asLong() + " but the checkpoint's network has "
          + expected + " parameters");
    }
  }

  private void checkLength(Path file, int count) throws IOException {
    long len;
    try {
      len = fs.getFileStatus(file).getLen();
    } catch (FileNotFoundException e) {
      throw new ModelFormatException(file + " is missing; the checkpoint is incomplete");
    }
    if (len != 4L * count) {
      throw new ModelFormatException(file + " holds " + len + " bytes but " + count
          + " float32 values need " + 4L * count + "; the file is truncated or corrupt");
    }
  }

  private String writeFloats(Path file, float[] values) throws IOException {
    MessageDigest sha = sha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    try (FSDataOutputStream out = fs.create(file, false)) {
      for (int i = 0; i < values.length; ) {
        buf.clear();
        while (i < values.length && buf.remaining() >= 4) {
          buf.putFloat(values[i++]);
        }
        sha.update(buf.array(), 0, buf.position());
        out.write(buf.array(), 0, buf.position());
      }
      out.hsync();
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private float[] readFloats(Path file, int count, String expectedSha) throws IOException {
    float[] values = new float[count];
    MessageDigest sha = sha256();
    byte[] chunk = new byte[1 << 16];
    ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    int filled = 0;
    try (InputStream in = fs.open(file)) {
      while (filled < count) {
        int want = (int) Math.min(chunk.length, 4L * (count - filled));
        int got = in.readNBytes(chunk, 0, want);
        if (got < want) {
          throw new ModelFormatException(file + " ended early; the file is truncated");
        }
        sha.update(chunk, 0, got);
        for (int i = 0; i < got; i += 4) {
          values[filled++] = view.getFloat(i);
        }
      }
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(expectedSha)) {
      throw new ModelFormatException(file + ": checksum mismatch (sha256 " + actual
          + ", expected " + expectedSha + "); the file is corrupt");
    }
    return values;
  }

  private static ObjectNode summaryToJson(EpochSummary s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("epoch", s.epoch());
    o.put("epochs", s.epochs());
    o.put("iterations", s.iterations());
    o.put("examples", s.examples());
    putNumber(o, "train-loss", s.trainLoss());
    putNumber(o, "train-accuracy", s.trainAccuracy());
    putNumber(o, "test-loss", s.testLoss());
    putNumber(o, "test-accuracy", s.testAccuracy());
    putNumber(o, "images-per-second", s.imagesPerSecond());
    putNumber(o, "elapsed-seconds", s.elapsedSeconds());
    putNumber(o, "eta-seconds", s.etaSeconds());
    return o;
  }

  private static void putNumber(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key); // NaN: not measured (e.g. no validation that epoch)
    }
  }

  private static EpochSummary summaryFromJson(Fields f, JsonNode h) {
    return new EpochSummary(f.intAtLeast(h, "epoch", 1), f.intAtLeast(h, "epochs", 1),
        f.longAtLeast(h, "iterations", 0), f.longAtLeast(h, "examples", 0),
        f.numberOrNaN(h, "train-loss"), f.numberOrNaN(h, "train-accuracy"),
        f.numberOrNaN(h, "test-loss"), f.numberOrNaN(h, "test-accuracy"),
        f.numberOrNaN(h, "images-per-second"), f.numberOrNaN(h, "elapsed-seconds"),
        f.numberOrNaN(h, "eta-seconds"));
  }

  /** Typed access to descriptor fields, each failure naming the file and the field. */
  private record Fields(Path desc, JsonNode root) {

    ModelFormatException bad(String problem) {
      return new ModelFormatException(desc + ": " + problem + "; the checkpoint is corrupt");
    }

    JsonNode object(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      if (!n.isObject()) {
        throw bad("\"" + key + "\" is missing or not an object");
      }
      return n;
    }

    JsonNode array(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      if (!n.isArray()) {
        throw bad("\"" + key + "\" is missing or not a list");
      }
      return n;
    }

    long integer(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw bad("\"" + key + "\" is missing or not an integer");
      }
      return n.asLong();
    }

    long longAtLeast(JsonNode parent, String key, long min) {
      long v = integer(parent, key);
      if (v < min) {
        throw bad("\"" + key + "\" is " + v + ", below " + min);
      }
      return v;
    }

    int intAtLeast(JsonNode parent, String key, int min) {
      long v = longAtLeast(parent, key, min);
      if (v > Integer.MAX_VALUE) {
        throw bad("\"" + key + "\" is " + v + ", out of range");
      }
      return (int) v;
    }

    boolean bool(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      if (!n.isBoolean()) {
        throw bad("\"" + key + "\" is missing or not true/false");
      }
      return n.asBoolean();
    }

    double number(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      if (!n.isNumber()) {
        throw bad("\"" + key + "\" is missing or not a number");
      }
      return n.asDouble();
    }

    double numberOrNaN(JsonNode parent, String key) {
      JsonNode n = parent.path(key);
      return n.isNull() || n.isMissingNode() ? Double.NaN : number(parent, key);
    }
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  static String reason(Throwable e) {
    String m = e.getMessage();
    if (e instanceof FileNotFoundException && m != null) {
      return "not found: " + m;
    }
    return m != null && !m.isBlank() ? firstLine(m) : e.getClass().getSimpleName();
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.split("\n", 2)[0];
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For tests: the file system this store writes through. */
  FileSystem fileSystem() {
    return fs;
  }

  /** For tests: the directory's qualified path. */
  Path directory() {
    return dir;
  }
}
