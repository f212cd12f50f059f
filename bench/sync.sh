#!/usr/bin/env bash
# spark.sync = job against barrier in local[2], side by side in one run (each row measures
# both modes back to back): per-iteration time split into compute (the slowest worker) and
# synchronization overhead, and images/s.
#   1. LeNet-5 at global batch 32, 64, 256 (targets at 64: overhead <= 15%, images/s >= 1.8x
#      the per-job path's)
#   2. the 1M-parameter CNN and the 10M-parameter MLP at batch 64 (target: the MLP's
#      overhead <= 60 ms)
#   3. LeNet-5 at batch 512 on 2, 8, 24 and 64 partitions
# Usage: bash bench/sync.sh [jsonl file] [warm-up seconds] [measured iterations]
source "$(dirname "$0")/lib.sh"
bench_build
bench_machine_note
json="${1:-target/sync.jsonl}"
warm="${2:-10}"
iters="${3:-40}"
bench_run 4g io.spindle.bench.SparkOverhead lenet5 32,64,256 'local[2]' "$warm" "$iters" \
    "$json" job,barrier 2
bench_run 6g io.spindle.bench.SparkOverhead cnn1m,mlp10m 64 'local[2]' "$warm" "$iters" \
    "$json" job,barrier 2
bench_run 4g io.spindle.bench.SparkOverhead lenet5 512 'local[2]' "$warm" "$iters" \
    "$json" job,barrier 2,8,24,64
