package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.NetworkSpec;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint directory format: round trip, locations, keep-K, and every corruption. */
public class CheckpointStoreTest {

  @TempDir
  Path tmp;

  final NetworkSpec spec = TestData.mlp(16, 3);
  /** The parameters' count in a descriptor (group 1: everything before the number). */
  static final String PARAM_COUNT = "(?s)(\"parameters\" : \\{[^}]*?\"count\" : )\\d+";

  /** A checkpoint at iteration {@code it} of 10 per epoch (600 examples on 2 partitions, batch 64). */
  public Checkpoint sample(long it) {
    int n = spec.paramCount();
    float[] params = new float[n];
    float[] m = new float[n];
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) Math.sin(i + it);
      m[i] = i * 1e-3f;
      v[i] = Float.MIN_VALUE * i;
    }
    List<EpochSummary> history = new ArrayList<>();
    for (int e = 1; e <= it / 10; e++) {
      history.add(new EpochSummary(e, 3, e * 10L, 600, 1.0 / 3 + e, 0.5, Double.NaN, Double.NaN,
          1234.5, 2.25 * e, 7.0));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("training", Map.of("seed", 13, "batch-size", 64));
    return new Checkpoint(it, (int) (it / 10), (int) (it % 10), 13L, true, 64,
        new long[] {300, 300}, new Metrics().add(0.1 + 0.2, 17, 64 * (it % 10)), history, spec,
        params, "adam", List.of("m", "v"), List.of(m, v), config, "crc32c:0000abcd:600x16f32->1",
        null);
  }

  CheckpointStore store(Path dir) throws IOException {
    return CheckpointStore.open(dir.toString(), null);
  }

  @Test
  void aCheckpointReadsBackExactly() throws IOException {
    CheckpointStore store = store(tmp.resolve("ckpt"));
    Checkpoint written = sample(23);
    store.write(written);
    Checkpoint read = store.latestValid(w -> { throw new AssertionError(w); });
    assertEquals(23, read.iteration());
    assertEquals(2, read.epoch());
    assertEquals(3, read.step());
    assertEquals(13L, read.seed());
    assertEquals(64, read.batchSize());
    assertArrayEquals(new long[] {300, 300}, read.partitionSizes());
    assertEquals(Double.doubleToLongBits(0.1 + 0.2), Double.doubleToLongBits(read.epochMetrics().lossSum));
    assertEquals(192, read.epochMetrics().count);
    assertEquals(written.history(), read.history(), "NaN test figures and all doubles survive");
    assertEquals(spec.summary(), read.spec().summary());
    assertArrayEquals(written.params(), read.params());
    assertEquals(List.of("m", "v"), read.stateNames());
    assertArrayEquals(written.state().get(0), read.state().get(0));
    assertArrayEquals(written.state().get(1), read.state().get(1), "subnormals too");
    assertEquals(written.dataFingerprint(), read.dataFingerprint());
    assertEquals(13, ((Map<?, ?>) read.config().get("training")).get("seed"));
    assertTrue(read.location().endsWith("/ckpt/ckpt-000000000023"), read.location());
  }

  @Test
  void plainPathsRelativePathsAndFileUrisAreTheSameDirectory() throws IOException {
    Path dir = tmp.resolve("by-uri");
    CheckpointStore.open("file://" + dir, null).write(sample(5));
    assertTrue(Files.isRegularFile(dir.resolve("ckpt-000000000005/checkpoint.json")));
    assertEquals(5, store(dir).latestValid(w -> { }).iteration());
    Path relative = Path.of("").toAbsolutePath().relativize(dir);
    assertEquals(5, CheckpointStore.open(relative.toString(), null).latestValid(w -> { }).iteration());
    assertTrue(store(dir).location().startsWith("file:/"), store(dir).location());
    // No .crc sidecars from Hadoop's checksummed local view: only our own files.
    try (Stream<Path> s = Files.list(dir.resolve("ckpt-000000000005"))) {
      assertEquals(List.of("checkpoint.json", "optimizer-m.f32", "optimizer-v.f32", "parameters.f32"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void onlyTheNewestKAreKept() throws IOException {
    CheckpointStore store = store(tmp);
    for (long it : new long[] {3, 6, 9, 12}) {
      store.write(sample(it));
      store.prune(2, Checkpoint.name(it));
    }
    assertEquals(List.of("ckpt-000000000012", "ckpt-000000000009"),
        store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
  }

  @Test
  void theCheckpointJustWrittenIsNeverPruned() throws IOException {
    CheckpointStore store = store(tmp);
    store.write(sample(30)); // a newer (e.g. corrupt, skipped) one from before a resume
    store.write(sample(20));
    store.write(sample(25));
    store.prune(1, Checkpoint.name(25));
    assertEquals(List.of("ckpt-000000000030", "ckpt-000000000025"),
        store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
  }

  @Test
  void rewritingAnIterationReplacesItWhole() throws IOException {
    CheckpointStore store = store(tmp);
    store.write(sample(7));
    Checkpoint again = sample(7);
    again.params()[0] = 42f;
    store.write(again);
    assertEquals(42f, store.latestValid(w -> { }).params()[0]);
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no temporary or old directory left");
    }
  }

  @Test
  void prepareRemovesStaleTemporariesAndProbesWritability() throws IOException {
    Path stale = tmp.resolve(".ckpt-000000000004.tmp-0d7f3c1e-1111-2222-3333-444455556666");
    Files.createDirectories(stale.resolve("inner"));
    Path unrelated = tmp.resolve("notes.txt");
    Files.writeString(unrelated, "mine");
    store(tmp).prepare();
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(unrelated), "only our own temporaries are removed");

    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    IOException e = assertThrows(IOException.class, () -> store(file).prepare());
    assertTrue(e.getMessage().contains("is not writable") && e.getMessage().contains("a-file")
        && e.getMessage().contains("choose another checkpoint.dir"), e.getMessage());
    e = assertThrows(IOException.class, () -> store(file.resolve("sub")).prepare());
    assertTrue(e.getMessage().contains("is not writable"), e.getMessage());
  }

  @Test
  void aNewRunRefusesADirectoryThatHoldsAnotherRunsCheckpoints() throws IOException {
    CheckpointStore store = store(tmp);
    store.requireNoCheckpoints();
    store.write(sample(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        store::requireNoCheckpoints);
    assertTrue(e.getMessage().contains("already holds 1 checkpoint(s) (newest ckpt-000000000003)")
        && e.getMessage().contains("--resume"), e.getMessage());
  }

  // ---- corruption: each is refused by read() with a message naming the file and the problem,
  // and skipped by latestValid() with a warning naming the checkpoint.

  /** Writes checkpoints 10 and 20, damages 20 with {@code damage}, and reads back. */
  String damaged(String what, Damage damage) throws IOException {
    Path dir = tmp.resolve(what);
    CheckpointStore store = store(dir);
    store.write(sample(10));
    store.write(sample(20));
    Path newest = dir.resolve(Checkpoint.name(20));
    damage.apply(newest);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> store.read(new org.apache.hadoop.fs.Path(newest.toUri())), what);
    List<String> warnings = new ArrayList<>();
    assertEquals(10, store.latestValid(warnings::add).iteration(), what);
    assertEquals(1, warnings.size(), what);
    assertTrue(warnings.get(0).startsWith("skipping corrupt checkpoint ")
        && warnings.get(0).contains(Checkpoint.name(20)), warnings.get(0));
    return e.getMessage();
  }

  interface Damage {
    void apply(Path checkpointDir) throws IOException;
  }

  static Damage editJson(UnaryOperator<String> edit) {
    return d -> {
      Path json = d.resolve("checkpoint.json");
      String before = Files.readString(json);
      String after = edit.apply(before);
      assertFalse(before.equals(after), "the edit changed the descriptor");
      Files.writeString(json, after);
    };
  }

  static Damage flipByte(String file, int at) {
    return d -> {
      byte[] b = Files.readAllBytes(d.resolve(file));
      b[at] ^= 0x10;
      Files.write(d.resolve(file), b);
    };
  }

  @Test
  void everyCorruptionIsRefusedClearlyAndSkipped() throws IOException {
    record Case(String name, Damage damage, String... fragments) {}
    List<Case> cases = List.of(
        new Case("missing-descriptor", d -> Files.delete(d.resolve("checkpoint.json")),
            "has no checkpoint.json", "incomplete"),
        new Case("not-json", d -> Files.writeString(d.resolve("checkpoint.json"), "{\"format\": "),
            "is not valid JSON"),
        new Case("other-format", editJson(s -> s.replace("spindle-checkpoint", "spindle-model")),
            "does not declare \"format\": \"spindle-checkpoint\""),
        new Case("params-checksum", flipByte("parameters.f32", 40), "parameters.f32",
            "checksum mismatch"),
        new Case("state-checksum", flipByte("optimizer-v.f32", 8), "optimizer-v.f32",
            "checksum mismatch"),
        new Case("params-truncated", d -> truncate(d.resolve("parameters.f32"), 4),
            "parameters.f32 holds", "truncated or corrupt"),
        new Case("state-missing", d -> Files.delete(d.resolve("optimizer-m.f32")),
            "optimizer-m.f32 is missing"),
        new Case("count-mismatch", editJson(s -> s.replaceFirst(PARAM_COUNT, "$1" + 7)),
            "parameters.count is 7 but the checkpoint's network has " + TestData.mlp(16, 3).paramCount()),
        new Case("unknown-layer", editJson(s -> s.replaceFirst("\"dense\"", "\"lstm\"")),
            "invalid network", "lstm"),
        new Case("path-in-state-name", editJson(s -> s.replace("\"name\" : \"m\"",
            "\"name\" : \"../../etc/passwd\"")), "optimizer.state name '../../etc/passwd'"),
        new Case("state-file-renamed", editJson(s -> s.replace("\"optimizer-m.f32\"",
            "\"../parameters.f32\"")), "must be in optimizer-m.f32"),
        new Case("counters-disagree", editJson(s -> s.replace("\"step\" : 0", "\"step\" : 3")),
            "iteration 20 is not epoch 2, step 3"),
        new Case("negative-iteration", editJson(s -> s.replace("\"iteration\" : 20", "\"iteration\" : -20")),
            "\"iteration\" is -20"),
        new Case("sizes-not-numbers", editJson(s -> s.replace("\"partition-sizes\" : [ 300",
            "\"partition-sizes\" : [ \"lots\"")), "partition-sizes[0] is not a size"));
    for (Case c : cases) {
      String message = damaged(c.name(), c.damage());
      for (String f : c.fragments()) {
        assertTrue(message.contains(f), c.name() + ": '" + f + "' in " + message);
      }
      assertTrue(message.contains(Checkpoint.name(20)), c.name() + ": names the checkpoint: " + message);
    }
  }

  @Test
  void hugeDeclaredSizesAreRefusedBeforeAllocating() throws IOException {
    // A network of 1.5 billion parameters (6 GB of floats) declared consistently: only the
    // file lengths can refuse it, and they are checked before any array is allocated.
    String bigNetwork = "\"network\" : { \"data\" : { \"input-shape\" : [ 1000 ] }, \"model\" : "
        + "{ \"loss\" : \"mse\", \"layers\" : [ { \"type\" : \"dense\", \"units\" : 1500000 } ] } }";
    long bigCount = 1000L * 1500000 + 1500000;
    String message = damaged("huge", editJson(s -> s
        .replaceFirst("(?s)\"network\" : \\{.*?\\n  \\}", bigNetwork)
        .replaceAll("\"count\" : \\d+", "\"count\" : " + bigCount)));
    assertTrue(message.contains("parameters.f32 holds") && message.contains("truncated"), message);

    // A count beyond any array, with the original network: refused by the count check.
    message = damaged("beyond-int", editJson(s -> s.replaceFirst(PARAM_COUNT, "$1" + 99999999999L)));
    assertTrue(message.contains("parameters.count is 99999999999"), message);

    // A descriptor far larger than any checkpoint's is not even parsed.
    message = damaged("huge-descriptor", d -> {
      try (var out = Files.newBufferedWriter(d.resolve("checkpoint.json"), StandardCharsets.UTF_8)) {
        String chunk = " ".repeat(1 << 20);
        for (int i = 0; i < 17; i++) {
          out.write(chunk);
        }
      }
    });
    assertTrue(message.contains("over the 16777216-byte limit"), message);
  }

  @Test
  void anotherFormatVersionIsRefusedNotSkipped() throws IOException {
    Path dir = tmp.resolve("v");
    CheckpointStore store = store(dir);
    store.write(sample(10));
    store.write(sample(20));
    editJson(s -> s.replace("\"version\" : 1", "\"version\" : 7")).apply(dir.resolve(Checkpoint.name(20)));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> store.latestValid(w -> { throw new AssertionError("not skipped: " + w); }));
    assertInstanceOf(FormatVersionException.class, e);
    assertTrue(e.getMessage().contains("format version 7") && e.getMessage().contains(
        "reads checkpoint version 1") && e.getMessage().contains("release that wrote it"), e.getMessage());
  }

  @Test
  void noValidCheckpointAtAllIsOneClearError() throws IOException {
    CheckpointStore store = store(tmp.resolve("all-bad"));
    store.write(sample(10));
    flipByte("parameters.f32", 0).apply(tmp.resolve("all-bad").resolve(Checkpoint.name(10)));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> store.latestValid(w -> { }));
    assertTrue(e.getMessage().contains("no valid checkpoint in") && e.getMessage().contains(
        "ckpt-000000000010 (") && e.getMessage().contains("checksum mismatch"), e.getMessage());
    e = assertThrows(ModelFormatException.class, () -> store(tmp.resolve("none")).latestValid(w -> { }));
    assertTrue(e.getMessage().contains("no checkpoint in"), e.getMessage());
  }

  static void truncate(Path file, int bytes) throws IOException {
    byte[] b = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(b, b.length - bytes));
  }
}
