#!/usr/bin/env bash
# LeNet-5 on MNIST in local[1] and local[2]: images/s, and per-iteration time split into
# compute (longest task) and Spark overhead (job wall time minus compute) at global batch
# 64, 128, 256, 512. Targets: overhead <= 20% at batch 256; local[2] >= 1.7x local[1].
# Usage: bash bench/spark-overhead.sh [networks=lenet5] [batches] [masters] [warm-up seconds] [iters]
source "$(dirname "$0")/lib.sh"
bench_build
bench_machine_note
bench_run 4g io.spindle.bench.SparkOverhead "${1:-lenet5}" "${2:-64,128,256,512}" \
    "${3:-local[1],local[2]}" "${4:-10}" "${5:-40}"
