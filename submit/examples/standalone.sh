#!/usr/bin/env bash
# Spindle on a Spark standalone cluster: train LeNet-5 on MNIST with spark-submit.
#
# Prerequisites
#   - Spark 3.5.x for Scala 2.12 (SPARK_HOME) here and on every node, all running Java 17.
#   - A running cluster: `$SPARK_HOME/sbin/start-master.sh` on the master host, then
#     `$SPARK_HOME/sbin/start-worker.sh spark://MASTER_HOST:7077` on every worker.
#   - The application jar: `mvn -B -DskipTests package` (target/spindle-<version>.jar).
#
# Client mode: the driver runs on this machine, in the repository root, so the config's relative
# data paths (data/mnist/...) resolve as in local mode and the outputs land in runs/ here. The
# driver serves the jar to the executors; nothing needs to be installed on the workers but Spark.
#
# Usage
#   MASTER=spark://master-host:7077 submit/examples/standalone.sh [more CLI options]
#   MASTER=spark://10.0.0.5:7077 CORES=16 submit/examples/standalone.sh --set training.epochs=1
# The launcher does the same in one line:
#   submit/spindle --master spark://master-host:7077 train --config conf/lenet5-mnist.conf ...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation}"
: "${MASTER:?set MASTER to the master URL, e.g. MASTER=spark://master-host:7077}"
# Spindle's JVM flags on one line: the Vector API module and Spark's --add-opens for Java 17.
JVM_FLAGS="$(sed -e 's/#.*//' conf/jvm-flags.txt | xargs)"
if [ -z "${SPINDLE_JAR:-}" ]; then
  jars=(target/spindle-*.jar)
  SPINDLE_JAR="$ROOT/${jars[0]}"
fi
[ -f "$SPINDLE_JAR" ] || { echo "no application jar: run 'mvn -B -DskipTests package' first" >&2; exit 1; }

args=(
  --master "$MASTER"
  --deploy-mode client
  --name spindle-lenet5-mnist
  --class io.spindle.cli.SpindleCli
  # Cores for the whole application, 2 per executor; the config's spark.partitions = 0 means
  # one partition per core.
  --total-executor-cores "${CORES:-8}"
  --executor-cores 2
  --executor-memory 4g
  --driver-memory 4g
  # Java 17: flags for the driver JVM (spark-submit starts it) and for every executor JVM.
  --conf "spark.driver.extraJavaOptions=$JVM_FLAGS"
  --conf "spark.executor.extraJavaOptions=$JVM_FLAGS"
  # One BLAS thread per task: Spark already runs one task per core.
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1
  # After an executor is lost, hand its tasks to any free core at once (no locality wait).
  --conf spark.locality.wait=0s
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  "$SPINDLE_JAR"
  # From here on: the Spindle CLI.
  train
  --config conf/lenet5-mnist.conf
  --output runs/lenet5-mnist-standalone
)
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" # the driver's own BLAS
exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" "$@"
