#!/usr/bin/env bash
# Spindle on Kubernetes, cluster mode: spark-submit creates a driver pod from the Spindle image
# (docker/Dockerfile), and the driver asks for executor pods of the same image.
#
# The jar, conf/ and MNIST are inside the image, so every path below is a path in the container
# (local:// = "already on the node, do not upload").
#
# Prerequisites
#   - Spark 3.5.x for Scala 2.12 here (SPARK_HOME); spark-submit talks to the API server with
#     your kubeconfig credentials.
#   - The image, pushed where the cluster can pull it:
#       mvn -B -DskipTests package
#       docker build -f docker/Dockerfile -t registry.example.com/spindle:0.1.0-SNAPSHOT .
#       docker push registry.example.com/spindle:0.1.0-SNAPSHOT
#   - A namespace and a service account the driver may create pods, services and config maps with:
#       kubectl create namespace spindle
#       kubectl -n spindle create serviceaccount spark
#       kubectl -n spindle create rolebinding spark-edit --clusterrole=edit --serviceaccount=spindle:spark
#   - A PersistentVolumeClaim "spindle-runs" for the outputs (only the driver writes, so
#     ReadWriteOnce is enough), writable by uid 185, the image's `spark` user (e.g. fsGroup 185
#     in a pod template given with spark.kubernetes.driver.podTemplateFile).
#
# Usage
#   K8S_API=https://k8s.example.com:6443 IMAGE=registry.example.com/spindle:0.1.0-SNAPSHOT \
#     submit/examples/kubernetes.sh [more CLI options]
# (`kubectl cluster-info` prints the API server URL.) Follow it with
#   kubectl -n spindle logs -f spindle-lenet5-mnist-driver
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation}"
: "${K8S_API:?set K8S_API to the API server URL, e.g. K8S_API=https://k8s.example.com:6443}"
: "${IMAGE:?set IMAGE to the pushed Spindle image, e.g. IMAGE=registry.example.com/spindle:0.1.0-SNAPSHOT}"
NAMESPACE="${NAMESPACE:-spindle}"
JVM_FLAGS="$(sed -e 's/#.*//' "$ROOT/conf/jvm-flags.txt" | xargs)"
CLAIM=spark.kubernetes.driver.volumes.persistentVolumeClaim.runs

args=(
  --master "k8s://$K8S_API"
  --deploy-mode cluster
  --name spindle-lenet5-mnist
  --class io.spindle.cli.SpindleCli
  --conf "spark.kubernetes.namespace=$NAMESPACE"
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark
  --conf "spark.kubernetes.container.image=$IMAGE"
  --conf spark.kubernetes.container.image.pullPolicy=IfNotPresent
  # The driver pod gets a fixed name, so that `kubectl logs` above finds it.
  --conf spark.kubernetes.driver.pod.name=spindle-lenet5-mnist-driver
  --conf spark.executor.instances="${EXECUTORS:-4}"
  --executor-cores 2
  --executor-memory 4g
  --driver-memory 4g
  # Java 17 flags for the driver pod and the executor pods.
  --conf "spark.driver.extraJavaOptions=$JVM_FLAGS"
  --conf "spark.executor.extraJavaOptions=$JVM_FLAGS"
  # One BLAS thread per task, in the executors and in the driver pod.
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1
  --conf spark.kubernetes.driverEnv.OPENBLAS_NUM_THREADS=1
  --conf spark.locality.wait=0s
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  # The outputs go to the persistent volume, mounted in the driver pod at /opt/spindle/runs.
  --conf "$CLAIM.options.claimName=spindle-runs"
  --conf "$CLAIM.mount.path=/opt/spindle/runs"
  --conf "$CLAIM.mount.readOnly=false"
  local:///opt/spindle/spindle.jar
  # From here on: the Spindle CLI, running in the driver pod.
  train
  --config /opt/spindle/conf/lenet5-mnist.conf
  --set data.train=/opt/spindle/data/mnist/train-images-idx3-ubyte.gz
  --set data.test=/opt/spindle/data/mnist/t10k-images-idx3-ubyte.gz
  --output /opt/spindle/runs/lenet5-mnist
)
exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" "$@"
