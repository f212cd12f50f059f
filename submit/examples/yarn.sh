#!/usr/bin/env bash
# Spindle on YARN, cluster mode: train LeNet-5 on MNIST stored in HDFS.
#
# The driver runs inside the YARN ApplicationMaster container on some cluster node, so this
# machine can disconnect once the job is accepted, and nothing the job reads may live only here.
# Spindle's driver reads its data as local files, so the MNIST files are pulled from HDFS by YARN
# itself: `--files hdfs://...` localizes each file into the driver container's working directory,
# where `--set data.train=<file name>` finds it (the labels file is found beside the images).
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
#   - OUTPUT: a directory the driver can write that outlives its container, i.e. a shared mount
#     present on every NodeManager (NFS and the like). The default, under /tmp, stays on
#     whichever node ran the driver.
#
# Usage
#   submit/examples/yarn.sh [more CLI options]
#   QUEUE=ml EXECUTORS=8 HDFS_DATA=hdfs:///data/mnist OUTPUT=/shared/runs/lenet5 \
#     submit/examples/yarn.sh --set training.epochs=2
# Follow it with `yarn logs -applicationId <id>`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation}"
HDFS_DATA="${HDFS_DATA:-hdfs:///data/mnist}"
OUTPUT="${OUTPUT:-/tmp/spindle-runs/lenet5-mnist}"
MNIST_FILES="$HDFS_DATA/train-images-idx3-ubyte.gz,$HDFS_DATA/train-labels-idx1-ubyte.gz"
MNIST_FILES+=",$HDFS_DATA/t10k-images-idx3-ubyte.gz,$HDFS_DATA/t10k-labels-idx1-ubyte.gz"
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
  # YARN copies these into the driver container's working directory: the config from here,
  # the four MNIST files straight from HDFS.
  --files "conf/lenet5-mnist.conf,$MNIST_FILES"
  "$SPINDLE_JAR"
  # From here on: the Spindle CLI, running in the cluster (paths relative to its container).
  train
  --config lenet5-mnist.conf
  --set data.train=train-images-idx3-ubyte.gz
  --set data.test=t10k-images-idx3-ubyte.gz
  --output "$OUTPUT"
)
exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" "$@"
