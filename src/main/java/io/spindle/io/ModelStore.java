package io.spindle.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * Spindle's model directory: no Java serialization, nothing loaded by reflection.
 *
 * <pre>
 * DIR/model.json    {"format": "spindle-model", "version": 1, "network": {...},
 *                    "parameters": {"file": "parameters.f32", "count": N, "dtype": "float32",
 *                                   "byte-order": "little-endian", "sha256": "..."},
 *                    "metadata": {...}}
 * DIR/parameters.f32   N raw little-endian float32 values
 * </pre>
 *
 * <p>Version 2 adds the network's non-trainable state (batch-norm running statistics) in its
 * own file, described like the parameters:
 * {@code "state": {"file": "state.f32", "count": S, "dtype": "float32", ..., "sha256": "..."}}.
 * A network without state is written as version 1, as before, and both versions are read;
 * {@link StoredModel#params()} is the model vector, the parameters followed by the state.
 *
 * <p>Writing goes to a temporary sibling directory that is renamed into place, so a crash
 * leaves the previous model or the new one, never a half-written one. Reading checks the
 * format, version, declared sizes (against the file sizes and the network) and the checksum
 * before allocating the parameter array.
 */
public final class ModelStore {

  public static final String FORMAT = "spindle-model";
  /** The newest version (with state); models without state are still written as version 1. */
  public static final int VERSION = 2;
  /** The version of models without state (and of every model before batch normalization). */
  public static final int VERSION_WITHOUT_STATE = 1;
  static final String DESCRIPTOR = "model.json";
  static final String PARAMETERS = "parameters.f32";
  static final String STATE = "state.f32";
  /** model.json is small; anything larger is not ours (and is not read into memory). */
  static final long MAX_DESCRIPTOR_BYTES = 16L << 20;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ModelStore() {}

  /**
   * What a model directory holds: the network description, the model vector (parameters, then
   * state) and metadata.
   */
  public record StoredModel(JsonNode network, float[] params, JsonNode metadata) {}

  /**
   * Writes a model directory atomically.
   *
   * @param network the network description (its JSON form, see config.NetworkConfig)
   * @param metadata free-form facts (training summary, versions)
   */
  public static void write(Path dir, Map<String, Object> network, float[] params,
      Map<String, Object> metadata) throws IOException {
    write(dir, network, params, 0, metadata);
  }

  /**
   * Writes a model directory atomically: the last {@code stateCount} values of {@code model}
   * are the network's state (version 2), the others its parameters.
   */
  public static void write(Path dir, Map<String, Object> network, float[] model, int stateCount,
      Map<String, Object> metadata) throws IOException {
    if (stateCount < 0 || stateCount > model.length) {
      throw new IllegalArgumentException("state of " + stateCount + " values in a model vector of "
          + model.length);
    }
    float[] params = stateCount == 0 ? model
        : java.util.Arrays.copyOf(model, model.length - stateCount);
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectory(tmp);
      String sha = writeParameters(tmp.resolve(PARAMETERS), params);
      ObjectNode root = JSON.createObjectNode();
      root.put("format", FORMAT);
      root.put("version", stateCount == 0 ? VERSION_WITHOUT_STATE : VERSION);
      root.set("network", JSON.valueToTree(network));
      ObjectNode p = root.putObject("parameters");
      p.put("file", PARAMETERS);
      p.put("count", params.length);
      p.put("dtype", "float32");
      p.put("byte-order", "little-endian");
      p.put("sha256", sha);
      if (stateCount > 0) {
        float[] state = java.util.Arrays.copyOfRange(model, params.length, model.length);
        ObjectNode st = root.putObject("state");
        st.put("file", STATE);
        st.put("count", stateCount);
        st.put("dtype", "float32");
        st.put("byte-order", "little-endian");
        st.put("sha256", writeParameters(tmp.resolve(STATE), state));
      }
      root.set("metadata", JSON.valueToTree(metadata));
      Path desc = tmp.resolve(DESCRIPTOR);
      try (OutputStream out = Files.newOutputStream(desc, StandardOpenOption.CREATE_NEW)) {
        JSON.writeValue(out, root);
      }
      fsync(desc);
      AtomicFiles.replaceDirectory(tmp, dir);
    } finally {
      AtomicFiles.deleteRecursively(tmp);
    }
  }

  private static String writeParameters(Path file, float[] params) throws IOException {
    MessageDigest sha = sha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (int i = 0; i < params.length; ) {
        buf.clear();
        while (i < params.length && buf.remaining() >= 4) {
          buf.putFloat(params[i++]);
        }
        buf.flip();
        sha.update(buf.array(), 0, buf.limit());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Reads and fully validates a model directory.
   *
   * @param expectedParams the parameter count the described network needs, computed by the
   *     caller from {@code network} (-1 to skip); checked before allocating
   */
  public static StoredModel read(Path dir, java.util.function.ToIntFunction<JsonNode> expectedParams)
      throws IOException {
    return read(dir, expectedParams, null);
  }

  /**
   * As {@link #read(Path, java.util.function.ToIntFunction)}, also checking the state count the
   * described network needs ({@code expectedState}, null to skip).
   */
  public static StoredModel read(Path dir, java.util.function.ToIntFunction<JsonNode> expectedParams,
      java.util.function.ToIntFunction<JsonNode> expectedState) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir + " is not a model directory (it does not exist or is a file); "
          + "pass the model/ folder written by spindle train");
    }
    Path desc = dir.resolve(DESCRIPTOR);
    if (!Files.isRegularFile(desc)) {
      throw new ModelFormatException(dir + " has no " + DESCRIPTOR + "; it is not a Spindle model or it is incomplete");
    }
    long descSize = Files.size(desc);
    if (descSize > MAX_DESCRIPTOR_BYTES) {
      throw new ModelFormatException(desc + " is " + descSize + " bytes, over the " + MAX_DESCRIPTOR_BYTES
          + "-byte limit; it is not a Spindle model descriptor");
    }
    JsonNode root;
    try {
      root = JSON.readTree(desc.toFile());
    } catch (IOException e) {
      throw new ModelFormatException(desc + " is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new ModelFormatException(desc + " does not declare \"format\": \"" + FORMAT + "\"");
    }
    // Exactly the integer 1: asInt() would also take 1.9, "1", true or 2^64 + 1 for version 1.
    JsonNode version = root.path("version");
    if (version.isMissingNode()) {
      throw new ModelFormatException(desc + " has no format \"version\"; it is not a Spindle"
          + " model or it was edited");
    }
    if (!version.isIntegralNumber() || !version.canConvertToLong()
        || (version.asLong() != VERSION && version.asLong() != VERSION_WITHOUT_STATE)) {
      throw new FormatVersionException(desc + " has format version " + version
          + ", but this Spindle reads version " + VERSION_WITHOUT_STATE + " and version "
          + VERSION + " (with state); use the Spindle release that wrote it");
    }
    boolean withState = version.asLong() == VERSION;
    JsonNode p = root.path("parameters");
    if (!p.path("count").canConvertToLong() || !p.path("count").isIntegralNumber()) {
      throw new ModelFormatException(desc + ": parameters.count is missing or not an integer");
    }
    long count = p.path("count").asLong();
    if (count < 0 || count > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(desc + ": parameters.count " + count + " is out of range");
    }
    if (!"float32".equals(p.path("dtype").asText()) || !"little-endian".equals(p.path("byte-order").asText())
        || !PARAMETERS.equals(p.path("file").asText())) {
      throw new ModelFormatException(desc + ": parameters must be float32 little-endian in " + PARAMETERS);
    }
    JsonNode network = root.path("network");
    if (!network.isObject()) {
      throw new ModelFormatException(desc + ": \"network\" is missing");
    }
    JsonNode st = root.path("state");
    long stateCount = 0;
    if (withState) {
      if (!st.isObject() || !st.path("count").isIntegralNumber() || !st.path("count").canConvertToLong()) {
        throw new ModelFormatException(desc + ": version " + VERSION + " needs \"state\" with an"
            + " integer count; the model is corrupt or was edited");
      }
      stateCount = st.path("count").asLong();
      if (stateCount <= 0 || stateCount > Integer.MAX_VALUE - 8 - count) {
        throw new ModelFormatException(desc + ": state.count " + stateCount + " is out of range");
      }
      if (!"float32".equals(st.path("dtype").asText()) || !"little-endian".equals(st.path("byte-order").asText())
          || !STATE.equals(st.path("file").asText())) {
        throw new ModelFormatException(desc + ": state must be float32 little-endian in " + STATE);
      }
    }
    if (expectedParams != null) {
      int expected;
      int expectedStateCount = -1;
      try {
        expected = expectedParams.applyAsInt(network);
        if (expectedState != null) {
          expectedStateCount = expectedState.applyAsInt(network);
        }
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(desc + ": invalid network: " + e.getMessage());
      }
      if (expected >= 0 && expected != count) {
        throw new ModelFormatException(desc + ": declares " + count + " parameters but its network needs "
            + expected + "; the model is corrupt or was edited");
      }
      if (expectedStateCount >= 0 && expectedStateCount != stateCount) {
        throw new ModelFormatException(desc + ": declares " + stateCount + " state values but its"
            + " network needs " + expectedStateCount + "; the model is corrupt or was edited");
      }
    }
    float[] params = readFloats(dir.resolve(PARAMETERS), (int) count, p.path("sha256").asText(),
        (int) stateCount);
    if (withState) {
      float[] state = readFloats(dir.resolve(STATE), (int) stateCount,
          st.path("sha256").asText(), 0);
      System.arraycopy(state, 0, params, (int) count, (int) stateCount);
    }
    return new StoredModel(network, params, root.path("metadata"));
  }

  /**
   * Reads {@code count} floats from {@code file}, checking its length and SHA-256, into a new
   * array with {@code spare} more zeros at the end.
   */
  private static float[] readFloats(Path file, int count, String expectedSha, int spare)
      throws IOException {
    Path dir = file.getParent();
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(dir + " has no " + file.getFileName() + "; the model is incomplete");
    }
    long size = Files.size(file);
    if (size != (long) count * 4) {
      throw new ModelFormatException(file + " holds " + size + " bytes but " + count
          + " float32 parameters need " + (long) count * 4 + "; the file is truncated or corrupt");
    }
    float[] params = new float[count + spare];
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      byte[] chunk = new byte[1 << 16];
      ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
      int filled = 0;
      int read;
      int pending = 0;
      while ((read = in.read(chunk, pending, chunk.length - pending)) > 0) {
        int avail = pending + read;
        int whole = avail / 4;
        for (int i = 0; i < whole; i++) {
          params[filled++] = view.getFloat(i * 4);
        }
        pending = avail - whole * 4;
        System.arraycopy(chunk, whole * 4, chunk, 0, pending);
      }
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(expectedSha)) {
      throw new ModelFormatException(file + ": checksum mismatch (sha256 " + actual + ", expected "
          + expectedSha + "); the parameters are corrupt");
    }
    return params;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.split("\n", 2)[0];
  }

  static ObjectMapper json() {
    return JSON;
  }

}
