#!/usr/bin/env bash
# Spindle on YARN, cluster mode: train LeNet-5 on MNIST stored in HDFS.
#
# The driver runs inside the YARN ApplicationMaster container on some cluster node, so this
# machine can disconnect once the job is accepted, and every path the job uses must be reachable
# from any node: data and outputs on HDFS, the config shipped with the job.
#
# Prerequisites
#   - Spark 3.5.x for Scala 2.12 here (SPARK_HOME), with HADOOP_CONF_DIR (or YARN_CONF_DIR)
#     pointing at the cluster's Hadoop configuration.
#   - Java 17 on the NodeManagers (or point spark.yarn.appMasterEnv.JAVA_HOME and
#     spark.executorEnv.JAVA_HOME at a Java 17 installed there).
#   - MNIST in HDFS, once:
#       hdfs dfs -mkdir -p /data/mnist && hdfs dfs -put data/mnist/*.gz /data/mnist/
#   - The application jar: `mvn -B -DskipTests package`. spark-submit uploads it to the
#     application's staging directory in HDFS.
#
# Usage
#   submit/examples/yarn.sh [more CLI options]
#   QUEUE=ml EXECUTORS=8 HDFS_DATA=hdfs:///data/mnist HDFS_OUT=hdfs:///user/me/runs/lenet5 \
#     submit/examples/yarn.sh --set training.epochs=2
# Follow it with `yarn logs -applicationId <id>`; the outputs are under HDFS_OUT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation}"
HDFS_DATA="${HDFS_DATA:-hdfs:///data/mnist}"
HDFS_OUT="${HDFS_OUT:-hdfs:///user/${USER:-spindle}/spindle/runs/lenet5-mnist}"
JVM_FLAGS="$(sed -e 's/#.*//' conf/jvm-flags.txt | xargs)"
if [ -z "${SPINDLE_JAR:-}" ]; then
  jars=(target/spindle-*.jar)
  SPINDLE_JAR="$ROOT/${jars[0]}"
fi
[ -f "$SPINDLE_JAR" ] || { echo "no application jar: run 'mvn -B -DskipTests package' first" >&2; exit 1; }

args=(
  --master yarn
  --deploy-mode cluster
  --name spindle-lenet5-mnist
  --queue "${QUEUE:-default}"
  --class io.spindle.cli.SpindleCli
  --num-executors "${EXECUTORS:-4}"
  --executor-cores 2
  --executor-memory 4g
  --driver-memory 4g
  # Java 17 flags for the driver (in the ApplicationMaster) and the executors.
  --conf "spark.driver.extraJavaOptions=$JVM_FLAGS"
  --conf "spark.executor.extraJavaOptions=$JVM_FLAGS"
  # One BLAS thread per task, in the executors and in the ApplicationMaster's driver.
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1
  --conf spark.yarn.appMasterEnv.OPENBLAS_NUM_THREADS=1
  --conf spark.locality.wait=0s
  # Keep every executor for the whole run: each iteration needs every partition.
  --conf spark.dynamicAllocation.enabled=false
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  # Ship the config: YARN puts it in the driver container's working directory.
  --files conf/lenet5-mnist.conf
  "$SPINDLE_JAR"
  # From here on: the Spindle CLI, running in the cluster.
  train
  --config lenet5-mnist.conf
  --set "data.train=$HDFS_DATA/train-images-idx3-ubyte.gz"
  --set "data.test=$HDFS_DATA/t10k-images-idx3-ubyte.gz"
  --output "$HDFS_OUT"
)
exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" "$@"
