#!/usr/bin/env bash
# Regenerates the kernel routing table (src/main/resources/io/spindle/tensor/kernel-routes.properties):
# on one thread, every product shape of LeNet-5's and the residual network's layers (batch 64),
# dense layers at batch shares 8-64 and a sweep of filter counts, on each BLAS backend present
# (VectorBLAS; native OpenBLAS when installed) against io.spindle.tensor.NarrowGemm; per backend
# and layout, the narrow-side threshold that minimizes the summed time of the measured
# shapes is written back. Then whole stride-1 3x3 convolution layers (forward and backward,
# batch 64) over shifted views against im2col + the BLAS: the most filters routed to the
# shifted path (SHIFTED), chosen the same way. Native OpenBLAS is measured on the kernels the environment names
# (OPENBLAS_CORETYPE, written as JNIBLAS-<type>) and, where it names them, once more on
# OpenBLAS's own choice for this CPU (written as JNIBLAS).
#
# Usage: bench/kernel-routes.sh [seconds-per-shape]   (default 0.2)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-0.2}"
table=src/main/resources/io/spindle/tensor/kernel-routes.properties

mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
jvm=(java -Xmx1g -XX:+UseParallelGC --add-modules=jdk.incubator.vector -cp "$cp")
quiet() { grep -v -e '^WARNING: Using incubator' -e 'InstanceBuilder' -e 'Failed to load implementation'; }

mkdir -p bench/results
out="bench/results/kernel-routes-$(date +%Y%m%d-%H%M%S).txt"
echo "==== vector ====" | tee -a "$out"
"${jvm[@]}" -Ddev.ludovic.netlib.blas.nativeLib=spindle-no-native-blas \
  io.spindle.bench.KernelRoutes --seconds "$seconds" --write "$table" 2>&1 | quiet | tee -a "$out"
if [ "$("${jvm[@]}" io.spindle.bench.EngineBenchmark --backend 2>/dev/null)" = JNIBLAS ]; then
  echo "==== native ====" | tee -a "$out"
  "${jvm[@]}" io.spindle.bench.KernelRoutes --seconds "$seconds" --write "$table" 2>&1 | quiet \
    | tee -a "$out"
  # OpenBLAS's kernels decide which products NarrowGemm beats. Where the environment names
  # them (OPENBLAS_CORETYPE), the run above wrote that core type's lines (JNIBLAS-<type>);
  # this one writes the backend's own lines, for OpenBLAS's choice on this CPU.
  if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    echo "==== native-own-choice (without OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE) ====" | tee -a "$out"
    env -u OPENBLAS_CORETYPE "${jvm[@]}" io.spindle.bench.KernelRoutes --seconds "$seconds" \
      --write "$table" 2>&1 | quiet | tee -a "$out"
  fi
else
  echo "note: no native BLAS (install libopenblas0-pthread); its routes are unchanged" | tee -a "$out"
fi
echo "(saved to $out; routing table $table)"
