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
 * <p>Writing goes to a temporary sibling directory that is renamed into place, so a crash
 * leaves the previous model or the new one, never a half-written one. Reading checks the
 * format, version, declared sizes (against the file sizes and the network) and the checksum
 * before allocating the parameter array.
 */
public final class ModelStore {

  public static final String FORMAT = "spindle-model";
  public static final int VERSION = 1;
  static final String DESCRIPTOR = "model.json";
  static final String PARAMETERS = "parameters.f32";
  /** model.json is small; anything larger is not ours (and is not read into memory). */
  static final long MAX_DESCRIPTOR_BYTES = 16L << 20;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ModelStore() {}

  /** What a model directory holds: the network description, parameters and metadata. */
  public record StoredModel(JsonNode network, float[] params, JsonNode metadata) {}

  /**
   * Writes a model directory atomically.
   *
   * @param network the network description (its JSON form, see config.NetworkConfig)
   * @param metadata free-form facts (training summary, versions)
   */
  public static void write(Path dir, Map<String, Object> network, float[] params,
      Map<String, Object> metadata) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectory(tmp);
      String sha = writeParameters(tmp.resolve(PARAMETERS), params);
      ObjectNode root = JSON.createObjectNode();
      root.put("format", FORMAT);
      root.put("version", VERSION);
      root.set("network", JSON.valueToTree(network));
      ObjectNode p = root.putObject("parameters");
      p.put("file", PARAMETERS);
      p.put("count", params.length);
      p.put("dtype", "float32");
      p.put("byte-order", "little-endian");
      p.put("sha256", sha);
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
    if (!version.isIntegralNumber() || !version.canConvertToLong() || version.asLong() != VERSION) {
      throw new FormatVersionException(desc + " has format version " + version
          + ", but this Spindle reads version " + VERSION + "; use the Spindle release that wrote it");
    }
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
    if (expectedParams != null) {
      int expected;
      try {
        expected = expectedParams.applyAsInt(network);
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(desc + ": invalid network: " + e.getMessage());
      }
      if (expected >= 0 && expected != count) {
        throw new ModelFormatException(desc + ": declares " + count + " parameters but its network needs "
            + expected + "; the model is corrupt or was edited");
      }
    }
    Path file = dir.resolve(PARAMETERS);
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(dir + " has no " + PARAMETERS + "; the model is incomplete");
    }
    long size = Files.size(file);
    if (size != count * 4) {
      throw new ModelFormatException(file + " holds " + size + " bytes but " + count
          + " float32 parameters need " + count * 4 + "; the file is truncated or corrupt");
    }
    float[] params = new float[(int) count];
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
    if (!actual.equals(p.path("sha256").asText())) {
      throw new ModelFormatException(file + ": checksum mismatch (sha256 " + actual + ", expected "
          + p.path("sha256").asText() + "); the parameters are corrupt");
    }
    return new StoredModel(network, params, root.path("metadata"));
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
