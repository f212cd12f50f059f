#!/usr/bin/env bash
# One epoch over MNIST expanded 20x with random shifts (1.2M images, ~950 MiB packed),
# generated on the executors and persisted MEMORY_AND_DISK, in a JVM whose Spark memory
# (execution + storage, ~650 MiB with -Xmx1400m) cannot hold it: blocks spill to disk and are
# read back each iteration. Reports storage (memory vs disk), heap peaks and max RSS.
# Usage: bash bench/large-data.sh [network] [master] [factor] [partitions] [batch] [heap]
# Log: bench/results/large-data/run.log
source "$(dirname "$0")/lib.sh"
bench_build
mkdir -p bench/results/large-data
{
  bench_machine_note
  # Run the JVM under /usr/bin/time -v for its maximum resident set size.
  /usr/bin/time -v -o bench/results/large-data/time.txt bash -c "$(declare -f bench_run bench_jvm_flags bench_classpath); \
      bench_run ${6:-1400m} io.spindle.bench.LargeData ${1:-lenet5} '${2:-local[2]}' ${3:-20} ${4:-24} ${5:-512}"
  status=$?
  grep -E "Maximum resident|Elapsed \(wall|Exit status" bench/results/large-data/time.txt
  exit $status
} 2>&1 | grep -v '^WARNING' | tee bench/results/large-data/run.log
