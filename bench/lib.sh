# Shared by the bench scripts: builds Spindle and the bench programs, then runs one.
# Usage (from a script): source "$(dirname "$0")/lib.sh"; bench_run MainClass [args...]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
cd "$ROOT"

bench_build() {
  echo "== building (mvn package, classpath, bench sources)" >&2
  # package: the application jar and the Spark class path that the cluster benches submit;
  # test-compile: the standalone-cluster harness they start clusters with (src/test).
  mvn -B -q -DskipTests package test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2
  mkdir -p target/bench-classes
  javac -nowarn -d target/bench-classes \
      -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
      $(find bench/src -name '*.java')
  jar cf target/spindle-bench.jar -C target/bench-classes .
}

# The JVM flags Spark 3.5 needs on JDK 17, plus the Vector API module: the launcher's list.
bench_jvm_flags() {
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' conf/jvm-flags.txt | tr '\n' ' '
}

bench_classpath() {
  echo "target/bench-classes:target/classes:target/test-classes:$(cat target/bench-classpath.txt):conf"
}

# bench_run HEAP MainClass args...: runs a bench program with Spark's environment.
bench_run() {
  local heap="$1"; shift
  export SPARK_LOCAL_IP=127.0.0.1
  export OPENBLAS_NUM_THREADS=1
  # shellcheck disable=SC2046
  java -Xmx"$heap" $(bench_jvm_flags) ${BENCH_JVM_EXTRA:-} -Dlog4j2.configurationFile=bench/log4j2-bench.properties \
      -Dspindle.app.jar="$ROOT/target/spindle-0.1.0-SNAPSHOT.jar" \
      -Dspindle.spark.classpath="$ROOT/target/spark-classpath.txt" \
      -Dspindle.bench.jar="$ROOT/target/spindle-bench.jar" \
      -cp "$(bench_classpath)" "$@"
}

bench_machine_note() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"\
       "$(free -g | awk '/Mem:/{print $2}') GiB; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"\
       "(the machine may be shared with other jobs)"
  echo "java: $(java -version 2>&1 | head -1); BLAS backend printed by the program"
}
