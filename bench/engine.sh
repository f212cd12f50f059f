#!/usr/bin/env bash
# Engine benchmark for issue 2, on ONE thread: LeNet-5 forward+backward images/s at batch 64,
# GFLOP/s per layer, the conv+dense aggregate, and the same BLAS's 256x256x256 sgemm, for the
# Vector-API BLAS and, when Debian's OpenBLAS is installed (apt-get install libopenblas0-pthread),
# for native OpenBLAS. Each figure is a median over rounds, timed by this thread's CPU time (not
# inflated when other processes share the cores) and by the wall clock; the load average is
# printed with them.
#
# Every layer and the aggregate are also stated as a fraction of the core's float32 peak, which
# the benchmark measures in the same run (io.spindle.bench.FmaPeak, alone: bench/fma-peak.sh).
#
# Native runs name the OpenBLAS kernels they ran (OpenBLAS picks them from the CPU when it
# loads). Where the environment sets OPENBLAS_CORETYPE, which overrides that choice, a second
# native run without it shows what OpenBLAS would pick; the first native run stays the one
# the summary's targets use.
#
# Each table also gives the time spent inside sgemm (a separate metered pass), hence the GFLOP/s
# of the products alone: the ceiling for the conv+dense aggregate without im2col, reorders etc.
#
# Usage: bench/engine.sh [rounds] [seconds-per-round] [config]
#   (default 7 rounds of 1 s per backend; a job config, e.g. conf/resnet-mnist.conf, replaces
#   LeNet-5 by its network: the layer table then shows its batch norm and residual blocks, a
#   block's GFLOP/s counting its convolutions and projection)
# Output: the per-backend tables, then a summary; a copy goes to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-7}"
seconds="${2:-1}"
network=("${@:3:1}")

mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"

# One thread: the benchmark is single-threaded Java, and OpenBLAS must not spawn its own.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
jvm=(java -Xmx2g -XX:+UseParallelGC --add-modules=jdk.incubator.vector -cp "$cp")
# netlib tries native first; naming a library that does not exist makes it fall back to VectorBLAS.
force_vector=(-Ddev.ludovic.netlib.blas.nativeLib=spindle-no-native-blas)

backend() {
  "${jvm[@]}" "$@" io.spindle.bench.EngineBenchmark --backend 2>/dev/null
}

runs=()
default_backend="$(backend)"
vector_backend="$(backend "${force_vector[@]}")"
if [ "$vector_backend" != "VectorBLAS" ]; then
  echo "error: could not select VectorBLAS (got '$vector_backend'); is jdk.incubator.vector available?" >&2
  exit 1
fi
runs+=(vector)
if [ "$default_backend" = "JNIBLAS" ]; then
  runs+=(native)
  # OpenBLAS picks its kernels from the CPU when it loads, unless OPENBLAS_CORETYPE names them.
  # Where the environment names them, a second native run shows OpenBLAS's own choice.
  if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    runs+=(native-own-choice)
  fi
else
  echo "note: no native BLAS found (netlib picked $default_backend); install libopenblas0-pthread to compare." >&2
fi

mkdir -p bench/results
out="bench/results/engine-$(date +%Y%m%d-%H%M%S).txt"
# The core's float32 peak, in a JVM of its own (see io.spindle.bench.FmaPeak).
echo "==== core peak (io.spindle.bench.FmaPeak, load average $(cut -d' ' -f1-3 /proc/loadavg)) ====" | tee -a "$out"
"${jvm[@]}" io.spindle.bench.FmaPeak 1 2>&1 | grep -v '^WARNING: Using incubator' | tee -a "$out"
peak="$(grep '^RESULT fma_peak_gflops=' "$out" | tail -1 | cut -d= -f2)"
jvm+=(-Dspindle.bench.peakGflops="$peak")
for run in "${runs[@]}"; do
  echo "==== $run ====" | tee -a "$out"
  if [ "$run" = vector ]; then
    "${jvm[@]}" "${force_vector[@]}" io.spindle.bench.EngineBenchmark "$rounds" "$seconds" "${network[@]}" 2>&1 \
      | grep -v -e '^WARNING: Using incubator' -e 'InstanceBuilder' -e 'Failed to load implementation' \
      | tee -a "$out"
  else
    env=(env)
    [ "$run" = native-own-choice ] && env+=(-u OPENBLAS_CORETYPE)
    # The kernels OpenBLAS loads, as it names them itself (OPENBLAS_VERBOSE=2: "Core: Haswell").
    core="$("${env[@]}" OPENBLAS_VERBOSE=2 "${jvm[@]}" io.spindle.bench.EngineBenchmark --backend 2>&1 \
      | sed -n 's/^Core: //p' | head -1)"
    "${env[@]}" "${jvm[@]}" -Dspindle.bench.openblasCore="${core:-unknown}" \
      io.spindle.bench.EngineBenchmark "$rounds" "$seconds" "${network[@]}" 2>&1 \
      | grep -v -e '^WARNING: Using incubator' | tee -a "$out"
  fi
done

echo | tee -a "$out"
{
  echo "Summary (CPU-time based; wall-clock images/s and ratio in the last two columns):"
  printf '%-22s %9s %11s %17s %9s %9s %10s %10s %11s %12s\n' backend "img/s" "conv+dense" \
    "sgemm NN (TN)" "ratio NN" "ratio TN" "wall img/s" "wall ratio" "products" "aggregate /"
  printf '%-22s %9s %11s %17s %9s %9s %10s %10s %11s %12s\n' "" "" "GFLOP/s" "GFLOP/s" "" "" "" "NN" \
    "alone / NN" "core peak"
  grep '^RESULT backend=' "$out" | sed 's/^RESULT //' | while read -r line; do
    declare -A r=()
    for kv in $line; do r["${kv%%=*}"]="${kv#*=}"; done
    printf '%-22s %9s %11s %17s %9s %9s %10s %10s %11s %12s\n' "${r[backend]}${r[openblas_core]:+ (${r[openblas_core]})}" "${r[images_per_s]}" \
      "${r[aggregate_gflops]}" "${r[sgemm_nn_gflops]} (${r[sgemm_tn_gflops]})" \
      "${r[ratio_nn]}" "${r[ratio_tn]}" "${r[wall_images_per_s]}" "${r[wall_ratio_nn]}" \
      "${r[products_ratio_nn]}" "${r[peak_ratio]} of ${r[peak_gflops]}"
  done
} | tee -a "$out"
echo "(saved to $out)"
