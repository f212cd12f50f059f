#!/usr/bin/env bash
# Builds the DL4J LeNet-5 bench (once) and runs it from the repository root.
# Usage: bash bench/dl4j/run.sh --mode single|spark [--batch 64] [--lr 0.001] [--epochs 3] ...
#        bash bench/dl4j/run.sh --build-only
# Env: DL4J_HEAP (default 4g) sets -Xmx; OMP_NUM_THREADS etc. pass through to the JVM.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BENCH=bench/dl4j
JAR=$BENCH/target/spindle-bench-dl4j.jar
CP_FILE=$BENCH/target/classpath.txt

# Rebuild only when a source or the pom is newer than the jar (or the classpath file is missing).
if [[ ! -f $JAR || ! -f $CP_FILE ]] || [[ -n "$(find $BENCH/pom.xml $BENCH/src -newer $JAR -type f | head -1)" ]]; then
  echo "== building $BENCH (a cold build downloads ~420 MB of dependencies)" >&2
  mvn -B -q -f $BENCH/pom.xml package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
fi

if [[ "${1:-}" == --build-only ]]; then
  exit 0
fi

# The JVM flags Spark 3.5 needs on JDK 17 (conf/jvm-flags.txt without comments and blank lines).
mapfile -t JVM_FLAGS < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' conf/jvm-flags.txt)

export SPARK_LOCAL_IP=127.0.0.1
exec java -Xmx"${DL4J_HEAP:-4g}" "${JVM_FLAGS[@]}" \
    -cp "$JAR:$(cat $CP_FILE)" io.spindle.bench.dl4j.Dl4jLeNet "$@"
