#!/usr/bin/env bash
# End to end on each BLAS backend, in one run (issue 16): the README's main job, LeNet-5 on
# MNIST through the CLI in embedded local[2], once on VectorBLAS and once on native OpenBLAS
# (when Debian's libopenblas0-pthread is installed), back to back with the same config, seed
# and data. Kernel benchmarks time one thread; this shows what a user's job gains.
#
# Usage: bench/cli-backends.sh [epochs]   (default 2)
# Output: each run's log, then one RESULT line per backend:
#   RESULT backend=VectorBLAS epochs=2 train_seconds=... images_per_s=... accuracy=... wall_seconds=...
# and the native/VectorBLAS ratio; a copy goes to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

epochs="${1:-2}"
case "$epochs" in ''|*[!0-9]*|0) echo "error: epochs must be a positive integer, got '$epochs'" >&2; exit 2 ;; esac

mkdir -p bench/results
out="bench/results/cli-backends-$(date +%Y%m%d-%H%M%S).txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# netlib tries native first; naming a library that does not exist makes it fall back to VectorBLAS.
force_vector="-Ddev.ludovic.netlib.blas.nativeLib=spindle-no-native-blas"
# OpenBLAS must not start threads of its own: local[2] already runs one task per core.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

run() { # run NAME [java options]
  local name="$1" opts="${2:-}" start end log="$work/$1.log"
  start=$(date +%s.%N)
  SPINDLE_JAVA_OPTS="$opts" submit/spindle train --config conf/lenet5-mnist.conf \
      --output "$work/$name" --set "training.epochs=$epochs" --set 'spark.master=local[2]' \
      > "$log" 2>&1 || { cat "$log" >&2; echo "error: the $name run failed (log above)" >&2; exit 1; }
  end=$(date +%s.%N)
  grep -e '^spindle: training' -e 'INFO train: epoch [0-9]*/[0-9]*:' -e '^spindle: done' "$log" \
    | tee -a "$out" || true
  local done_line backend
  done_line="$(grep '^spindle: done in' "$log" | tail -1)"
  [ -n "$done_line" ] || { cat "$log" >&2; echo "error: no 'spindle: done' line in the $name run" >&2; exit 1; }
  # "spindle: training ... master local[2], BLAS JNIBLAS": the backend the job really used.
  backend="$(grep '^spindle: training' "$log" | sed -E 's/.*BLAS ([A-Za-z0-9]+)$/\1/')"
  # spindle: done in 21.1 s (12769 images/s); test accuracy 99.15%
  echo "$done_line" | sed -E "s/^spindle: done in ([0-9.]+) s \(([0-9]+) images\/s\); test accuracy ([0-9.]+)%.*/RESULT backend=${backend:-$name} epochs=$epochs train_seconds=\1 images_per_s=\2 accuracy=\3 wall_seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')/" \
    | tee -a "$out"
}

submit/spindle --help > /dev/null # builds the jar once, outside the timed runs
echo "== LeNet-5 through the CLI, local[2], $epochs epochs; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "-- VectorBLAS" | tee -a "$out"
run vector "$force_vector"
echo "-- default (native OpenBLAS where installed)" | tee -a "$out"
run native ""
grep -q '^RESULT backend=JNIBLAS' "$out" \
  || echo "note: netlib found no native BLAS (apt-get install libopenblas0-pthread); both runs used VectorBLAS" | tee -a "$out"
vector_ips="$(grep '^RESULT backend=VectorBLAS' "$out" | sed -E 's/.*images_per_s=([0-9]+).*/\1/' | tail -1)"
native_ips="$(grep '^RESULT backend=JNIBLAS' "$out" | sed -E 's/.*images_per_s=([0-9]+).*/\1/' | tail -1)"
if [ -n "$vector_ips" ] && [ -n "$native_ips" ]; then
  echo "native / VectorBLAS: $(awk -v n="$native_ips" -v v="$vector_ips" 'BEGIN { printf "%.2f", n / v }')x images/s; load average after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
fi
echo "(saved to $out)"
