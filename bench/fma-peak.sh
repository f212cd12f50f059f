#!/usr/bin/env bash
# The float32 FLOP/s of one core of this machine (io.spindle.bench.FmaPeak): independent chains
# of vector fused multiply-adds on registers, this thread's CPU time, 256- and 512-bit vectors.
# bench/engine.sh measures the same peak in its own run and states every layer against it.
#
# Usage: bench/fma-peak.sh [seconds]   (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx256m --add-modules=jdk.incubator.vector -cp "$cp" io.spindle.bench.FmaPeak "${1:-1}" 2>&1 \
  | grep -v '^WARNING: Using incubator'
