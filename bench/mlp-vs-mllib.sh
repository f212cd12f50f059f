#!/usr/bin/env bash
# Spindle's Spark ML estimator (SpindleClassifier) vs Spark MLlib's MultilayerPerceptronClassifier
# on MNIST, side by side in one JVM: the same cached DataFrame, layers 784-128-64-10, the same
# number of epochs (MLlib: l-bfgs maxIter = epochs; each l-bfgs iteration is a full pass over the
# data). Prints fit wall time (median [min-max] of the runs), test accuracy and the ratio
# MLlib / Spindle time. Then the same at equal accuracy: MLlib with more l-bfgs iterations,
# Spindle with the fewest epochs that match its accuracy.
# Target: Spindle >= 5x faster at equal or better accuracy.
# Usage: bash bench/mlp-vs-mllib.sh [epochs=10] [runs=3] [train-limit=60000] [master=local[2]]
#            [mllib-iterations-for-equal-accuracy=100]
source "$(dirname "$0")/lib.sh"
bench_build
bench_machine_note
bench_run 6g io.spindle.bench.MlpVsMllib "${1:-10}" "${2:-3}" "${3:-60000}" "${4:-local[2]}" "${5:-100}"
