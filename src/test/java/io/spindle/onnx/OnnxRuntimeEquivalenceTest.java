package io.spindle.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.data.ExampleBlock;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import io.spindle.optim.Optimizer;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The exported graph run in ONNX Runtime gives Spindle's outputs on real MNIST test images:
 * logits within 1e-4 and the same argmax, probabilities likewise, for a network per layer type
 * (random weights, biases included) and for every shipped MNIST config trained briefly.
 */
class OnnxRuntimeEquivalenceTest {

  static ExampleBlock test;
  static float[] images;
  static final int N = 100;

  @BeforeAll
  static void load() {
    test = OnnxTestSupport.mnistTest(N);
    images = OnnxTestSupport.features(test);
  }

  /** One small network per layer type (and per loss), on MNIST's 1x28x28 or 784 inputs. */
  static Map<String, NetworkSpec> layerNetworks() {
    Map<String, NetworkSpec> nets = new LinkedHashMap<>();
    nets.put("conv2d (padding, stride)", NetworkSpec.builder().input(1, 28, 28)
        .conv(4, 5).pad(2).stride(2).relu().dense(10).build());
    nets.put("conv2d (rectangular kernel, padding and stride)", NetworkSpec.builder().input(1, 28, 28)
        .conv(3, 3, 5).pad(1, 2).stride(2, 1).dense(10).build());
    nets.put("dense on [N, 784]", NetworkSpec.builder().input(784).dense(32).dense(10).build());
    nets.put("max-pool (padding, stride)", NetworkSpec.builder().input(1, 28, 28)
        .conv(2, 3).maxPool(2).maxPool(3).stride(2).pad(1).dense(10).build());
    nets.put("avg-pool (padding, stride)", NetworkSpec.builder().input(1, 28, 28)
        .avgPool(2).avgPool(3).stride(2).pad(1).conv(2, 3).dense(10).build());
    nets.put("flatten", NetworkSpec.builder().input(1, 28, 28).conv(2, 3).flatten().dense(10).build());
    nets.put("relu", NetworkSpec.builder().input(784).dense(16).relu().dense(10).build());
    nets.put("leaky-relu", NetworkSpec.builder().input(1, 28, 28).conv(2, 3).leakyRelu(0.2f).dense(10).build());
    nets.put("sigmoid", NetworkSpec.builder().input(784).dense(16).sigmoid().dense(10).build());
    nets.put("tanh", NetworkSpec.builder().input(1, 28, 28).conv(2, 3).tanh().dense(10).build());
    nets.put("softmax on [N, features]", NetworkSpec.builder().input(784).dense(10).softmax().build());
    nets.put("softmax on [N, C, H, W]", NetworkSpec.builder().input(1, 28, 28).conv(2, 3).softmax()
        .dense(10).build());
    nets.put("dropout", NetworkSpec.builder().input(784).dense(16).relu().dropout(0.5).dense(10).build());
    nets.put("batch-norm (conv, per channel)", NetworkSpec.builder().input(1, 28, 28).conv(3, 3)
        .batchNorm(0.2, 1e-3).relu().maxPool(2).dense(10).build());
    nets.put("batch-norm (dense, per feature)", NetworkSpec.builder().input(784).dense(16)
        .batchNorm().tanh().dense(10).build());
    nets.put("global-avg-pool", NetworkSpec.builder().input(1, 28, 28).conv(4, 3).relu()
        .globalAvgPool().dense(10).build());
    nets.put("residual (identity and projection shortcuts, nested, batch-norm inside)",
        NetworkSpec.builder().input(1, 28, 28).conv(4, 3).pad(1).maxPool(2)
            .residual(b -> b.conv(4, 3).pad(1).batchNorm().relu().conv(4, 3).pad(1)).relu()
            .residual(b -> b.conv(6, 3).pad(1).stride(2)
                .residual(c -> c.conv(6, 3).pad(1).relu())).relu()
            .residual(io.spindle.nn.layers.Residual.Shortcut.PROJECTION, b -> b.conv(6, 1))
            .globalAvgPool().dense(10).build());
    nets.put("residual on vectors (dense projection)", NetworkSpec.builder().input(784).dense(12)
        .residual(b -> b.dense(8).relu()).dense(10).build());
    nets.put("binary-cross-entropy (sigmoid probabilities)", NetworkSpec.builder().input(784)
        .dense(8).relu().dense(1).loss(new SigmoidBinaryCrossEntropy()).build());
    nets.put("mse (one output)", NetworkSpec.builder().input(1, 28, 28).conv(2, 3).relu()
        .dense(3).loss(new MeanSquaredError()).build());
    return nets;
  }

  /** Every parameter random, biases included (initializers leave biases at zero). */
  static SpindleModel randomModel(NetworkSpec spec, long seed) {
    float[] p = spec.initParams(seed);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < p.length; i++) {
      p[i] += (float) (rng.nextDouble() - 0.5) * 0.1f;
    }
    return new SpindleModel(spec, p, JsonNodeFactory.instance.objectNode());
  }

  @Test
  void everyLayerTypeIsCovered() {
    TreeSet<String> kinds = new TreeSet<>();
    layerNetworks().values().forEach(n -> n.layers().forEach(l -> kinds.add(l.kind())));
    assertEquals(new TreeSet<>(io.spindle.config.LayerConfig.TYPES), kinds,
        "a network per layer type of LayerConfig.TYPES");
  }

  @TestFactory
  Stream<DynamicTest> eachLayerTypeMatchesOnnxRuntime() {
    return layerNetworks().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () ->
        compare(e.getKey(), randomModel(e.getValue(), 11))));
  }

  /** conf/*-mnist.conf, each trained briefly: two Adam steps of 64 images. */
  @TestFactory
  Stream<DynamicTest> eachShippedConfigTrainedBrieflyMatchesOnnxRuntime() throws Exception {
    List<Path> configs;
    try (Stream<Path> files = Files.list(Path.of("conf"))) {
      configs = files.filter(p -> p.getFileName().toString().endsWith("-mnist.conf")).sorted()
          .collect(Collectors.toList());
    }
    assertTrue(configs.stream().map(p -> p.getFileName().toString()).toList()
        .containsAll(List.of("lenet5-mnist.conf", "mlp-mnist.conf", "cnn-large-mnist.conf")), configs::toString);
    ExampleBlock train = OnnxTestSupport.mnistTrain(128);
    return configs.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      SpindleModel model = trainBriefly(c, train);
      compare(c.getFileName().toString(), model);
    }));
  }

  /**
   * The other shipped job configs (conf/resnet-color-example.conf: 3x32x32 color images), which
   * MNIST cannot feed: random weights and batch-norm statistics on random images of their input
   * shape.
   */
  @TestFactory
  Stream<DynamicTest> eachOtherShippedConfigMatchesOnnxRuntimeOnRandomImages() throws Exception {
    List<Path> configs;
    try (Stream<Path> files = Files.list(Path.of("conf"))) {
      configs = files.map(Path::getFileName).map(Path::toString)
          .filter(n -> n.endsWith(".conf") && !n.endsWith("-mnist.conf") && !n.equals("spark-defaults.conf"))
          .sorted().map(n -> Path.of("conf", n)).collect(Collectors.toList());
    }
    return configs.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      NetworkSpec spec = io.spindle.config.NetworkConfig.parse(ConfigLoader.load(c, List.of()));
      SpindleModel model = randomModel(spec, 21);
      int n = 16;
      float[] x = new float[n * spec.inputShape().size()];
      SplittableRandom rng = new SplittableRandom(5);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextDouble();
      }
      byte[] onnx = OnnxExport.toProto(model).toByteArray();
      int k = spec.outputShape().size();
      double diff = OnnxTestSupport.assertClose(c.getFileName().toString(),
          OnnxTestSupport.spindle(model, x, n), OnnxTestSupport.ort(onnx, spec, x, n).get(Onnx.LOGITS), n, k);
      System.out.printf("ONNX Runtime vs Spindle, %s: %d random %s images, max |logit diff| %.2e%n",
          c.getFileName(), n, spec.inputShape(), diff);
    }));
  }

  static SpindleModel trainBriefly(Path config, ExampleBlock train) {
    JobConfig job = JobConfig.from(ConfigLoader.load(config, List.of()));
    NetworkSpec spec = job.network();
    // Batches of at most 64 keep the larger configs (cnn-large, resnet) to seconds.
    int batch = Math.min(job.training().batchSize(), 64);
    // The schedule is sized for the config's full run (cnn-large warms up for 200 iterations);
    // these few steps are its start.
    Optimizer optimizer = job.optimizer().build(spec.paramCount(), 100_000);
    TrainingResult r = new LocalTrainer(spec, optimizer, TrainingOptions.builder().epochs(1)
        .batchSize(batch).seed(job.training().seed()).build()).fit(train, null,
            spec.initParams(job.training().seed()));
    return new SpindleModel(spec, r.params(), JsonNodeFactory.instance.objectNode());
  }

  static void compare(String what, SpindleModel model) throws Exception {
    NetworkSpec spec = model.spec();
    byte[] onnx = OnnxExport.toProto(model).toByteArray();
    float[] logits = OnnxTestSupport.spindle(model, images, N);
    int k = spec.outputShape().size();
    Map<String, float[][]> ort = OnnxTestSupport.ort(onnx, spec, images, N);
    String first = spec.loss().isClassification() ? Onnx.LOGITS : Onnx.OUTPUT;
    assertEquals(first, ort.keySet().iterator().next(), what + ": first output");
    double diff = OnnxTestSupport.assertClose(what + " " + first, logits, ort.get(first), N, k);
    float[] probabilities = logits.clone();
    spec.loss().toPrediction(probabilities, N, k);
    if (spec.loss().isClassification()) {
      assertEquals(List.of(Onnx.LOGITS, Onnx.PROBABILITIES), List.copyOf(ort.keySet()));
      OnnxTestSupport.assertClose(what + " probabilities", probabilities,
          ort.get(Onnx.PROBABILITIES), N, k);
    } else {
      assertEquals(List.of(Onnx.OUTPUT), List.copyOf(ort.keySet()));
    }
    // The batch dimension is dynamic: one example gives the first row.
    float[][] one = OnnxTestSupport.ort(onnx, spec, images, 1).get(first);
    OnnxTestSupport.assertClose(what + " batch of 1", java.util.Arrays.copyOf(logits, k), one, 1, k);
    System.out.printf("ONNX Runtime vs Spindle, %s: %d MNIST test images, max |logit diff| %.2e%n",
        what, N, diff);
  }

  @Test
  void theGraphDeclaresOpset17NamedDynamicInputsAndOutputsAndMetadata() throws Exception {
    NetworkSpec spec = layerNetworks().get("conv2d (padding, stride)");
    SpindleModel model = new SpindleModel(spec, randomModel(spec, 3).params(),
        (com.fasterxml.jackson.databind.JsonNode) new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree("{\"classes\": [\"zero\",\"one\",\"two\",\"three\",\"four\",\"five\",\"six\","
                + "\"seven\",\"eight\",\"nine\"], \"training\": {\"epochs\": 1}}"));
    byte[] onnx = OnnxExport.toProto(model).toByteArray();
    var proto = io.spindle.onnx.proto.OnnxProto.ModelProto.parseFrom(onnx);
    assertEquals(17, proto.getOpsetImport(0).getVersion());
    assertEquals("", proto.getOpsetImport(0).getDomain());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
      assertEquals(List.of(Onnx.INPUT), List.copyOf(s.getInputNames()));
      assertEquals(List.of(Onnx.LOGITS, Onnx.PROBABILITIES), List.copyOf(s.getOutputNames()));
      TensorInfo in = (TensorInfo) s.getInputInfo().get(Onnx.INPUT).getInfo();
      assertEquals(List.of(-1L, 1L, 28L, 28L), java.util.Arrays.stream(in.getShape()).boxed().toList());
      TensorInfo out = (TensorInfo) s.getOutputInfo().get(Onnx.LOGITS).getInfo();
      assertEquals(List.of(-1L, 10L), java.util.Arrays.stream(out.getShape()).boxed().toList());
      Map<String, String> meta = s.getMetadata().getCustomMetadata();
      assertEquals("[\"zero\",\"one\",\"two\",\"three\",\"four\",\"five\",\"six\",\"seven\",\"eight\","
          + "\"nine\"]", meta.get(Onnx.CLASS_NAMES));
      assertEquals("softmax-cross-entropy", meta.get(Onnx.LOSS_KEY));
      assertTrue(meta.get(Onnx.METADATA_KEY).contains("\"epochs\":1"), meta::toString);
      assertTrue(meta.get(Onnx.NETWORK_KEY).contains("conv2d"), meta::toString);
      assertEquals("spindle", s.getMetadata().getProducerName());
    }
  }

  @Test
  void dropoutIsLeftOutOfTheGraph() throws Exception {
    var proto = OnnxExport.toProto(randomModel(layerNetworks().get("dropout"), 1));
    List<String> ops = proto.getGraph().getNodeList().stream().map(n -> n.getOpType()).toList();
    assertEquals(List.of("Gemm", "Relu", "Gemm", "Softmax"), ops);
  }

}
