#!/usr/bin/env bash
# Synchronization on a loopback standalone cluster (master + single-core workers, separate
# JVMs on 127.0.0.1), both spark.sync modes in one run:
#   lenet      LeNet-5 through the CLI, full MNIST, 2 epochs, batch 64, 2 executors
#              (target: barrier >= 3x job images/s, same test loss)
#   executors  per-iteration cost of a tiny network on 1, 2, 4, 8 executors
# Usage: bash bench/cluster-sync.sh [lenet|executors|both] [jsonl file] [executor counts]
source "$(dirname "$0")/lib.sh"
bench_build
bench_machine_note
bench_run 2g io.spindle.bench.ClusterSync "${1:-both}" "${2:-target/cluster-sync.jsonl}" \
    "${3:-1,2,4,8}"
