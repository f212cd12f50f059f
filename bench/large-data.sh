#!/usr/bin/env bash
# Training data larger than Spark's memory (issue 12). Two ways to run it:
#
#   bash bench/large-data.sh [network] [master] [factor] [partitions] [batch] [heap]
#       One epoch over MNIST expanded `factor` times with random shifts, generated on the
#       executors in ~4 MiB chunks and persisted MEMORY_AND_DISK, in a JVM of `heap`
#       (default: lenet5 local[2] 20 2 512 1400m). Set OVERSUBSCRIPTION=K to size Spark's memory
#       (spark.memory.fraction) to 1/K of the data.
#
#   bash bench/large-data.sh --sweep [factor] [heap] [runs]
#       The issue's table: LeNet-5, global batch 512, local[2], one shard per core; the same
#       data (default MNIST x4, 240k images, 180 MiB) and heap (default 2g) with Spark's memory
#       holding all of it (in memory), then 1/1, 1/2, 1/4 and 1/8 of it. Then MNIST x2 shifted
#       written as Parquet by the bench and trained through the CLI (data.format = parquet) at
#       4x. Each row: images/s, MiB read from disk in the epoch against MiB spilled, the JVM's
#       peak RSS, test accuracy after one epoch. JSON lines for the suite's report go to
#       bench/results/large-data/sweep.jsonl.
#
# Logs: bench/results/large-data/
source "$(dirname "$0")/lib.sh"
bench_build
out=bench/results/large-data
mkdir -p "$out"

# run_one LOG OVERSUBSCRIPTION HEAP args...: one LargeData JVM under /usr/bin/time -v.
run_one() {
  local log="$1" k="$2" heap="$3"; shift 3
  BENCH_JVM_EXTRA="-Dspindle.bench.oversubscription=$k" /usr/bin/time -v -o "$log.time" \
      bash -c "$(declare -f bench_run bench_jvm_flags bench_classpath); bench_run $heap \
      io.spindle.bench.LargeData $*" > "$log" 2>&1
  local status=$?
  grep -E "^(Spark unified|storage|RESULT|JVM heap|heap after)" "$log"
  grep -E "Maximum resident" "$log.time"
  return $status
}

# json_row LOG LABEL K: the RESULT line and RSS as one JSON object.
json_row() {
  local log="$1" label="$2" k="$3"
  local result rss heap
  result="$(grep -m1 '^RESULT' "$log" || true)"
  heap="$(grep -m1 '^heap after' "$log" || true)"
  rss="$(awk -F: '/Maximum resident/{gsub(/ /,"",$2); print $2}' "$log.time" 2>/dev/null)"
  python3 - "$label" "$k" "${rss:-0}" "$result" "$heap" <<'PY'
import json, re, sys
label, k, rss, line, heap = sys.argv[1], float(sys.argv[2]), int(sys.argv[3] or 0), sys.argv[4], sys.argv[5]
h = re.search(r"([0-9,]+) MiB at iteration 10, ([0-9,]+) MiB at the end", heap)
def num(pattern, default=None):
    m = re.search(pattern, line)
    return float(m.group(1).replace(',', '')) if m else default
print(json.dumps({"run": label, "oversubscription": k, "ok": bool(line),
    "images_per_s": num(r"\(([0-9,.]+) images/s\)"),
    "test_accuracy": num(r"test accuracy ([0-9.]+)%"),
    "memory_ratio": num(r"data ([0-9.]+)x Spark's memory"),
    "disk_mib": num(r"([0-9,]+) MiB on disk"), "read_mib": num(r"([0-9,]+) MiB read from disk"),
    "read_vs_spilled": num(r"\(([0-9.]+)x the spilled size\)"),
    "peak_rss_mib": rss // 1024,
    "heap_live_start_mib": int(h.group(1).replace(',', '')) if h else None,
    "heap_live_end_mib": int(h.group(2).replace(',', '')) if h else None}))
PY
}

if [ "${1:-}" != "--sweep" ]; then
  {
    bench_machine_note
    run_one "$out/run.log" "${OVERSUBSCRIPTION:-0}" "${6:-1400m}" "${1:-lenet5}" "'${2:-local[2]}'" \
        "${3:-20}" "${4:-2}" "${5:-512}"
  } 2>&1 | tee "$out/summary.txt"
  exit "${PIPESTATUS[0]}"
fi

factor="${2:-4}"
heap="${3:-2g}"
runs="${4:-1}"
jsonl="$out/sweep.jsonl"
: > "$jsonl"
{
  bench_machine_note
  echo "sweep: LeNet-5, MNIST x$factor shifted, global batch 512, local[2], 2 shards, heap $heap, $runs run(s)"
  for run in $(seq 1 "$runs"); do
    for k in 0 1 2 4 8; do
      label=$([ "$k" = 0 ] && echo "in memory" || echo "${k}x")
      echo "--- run $run: $label"
      run_one "$out/sweep-$k-run$run.log" "$k" "$heap" lenet5 "'local[2]'" "$factor" 2 512 || true
      json_row "$out/sweep-$k-run$run.log" "$label" "$k" >> "$jsonl"
    done
  done

  echo "--- Parquet through the CLI: MNIST x2 shifted, Spark's memory 1/4 of it"
  pq="$out/parquet"
  bench_run 3g io.spindle.bench.ShiftedParquet "$pq" 2 > "$out/parquet-write.log" 2>&1 \
      || { tail -5 "$out/parquet-write.log"; exit 1; }
  tail -1 "$out/parquet-write.log"
  # 120k rows packed as float32: 785 x 4 bytes each = 359 MiB; heap 1500m leaves
  # (1500 - 300) MiB x fraction of Spark memory.
  fraction=$(python3 -c "print(round(120000*785*4/4/((1500-300)*2**20), 5))")
  SPINDLE_DRIVER_MEMORY=1500m SPINDLE_JAVA_OPTS="-Dspark.memory.fraction=$fraction" \
    /usr/bin/time -v -o "$out/parquet-train.log.time" submit/spindle train \
      --config conf/lenet5-mnist.conf --output "$out/parquet-run" \
      --set data.format=parquet --set "data.train=$pq/train.parquet" \
      --set "data.test=$pq/test.parquet" --set data.label-col=label \
      --set data.features-col=features --set training.epochs=1 --set training.batch-size=512 \
      --set spark.master='local[2]' > "$out/parquet-train.log" 2>&1 || true
  grep -E "epoch 1/1|done in" "$out/parquet-train.log" | sed 's/^.*INFO //'
  grep -E "Maximum resident" "$out/parquet-train.log.time"
  python3 - "$out/parquet-train.log" "$out/parquet-train.log.time" "$fraction" >> "$jsonl" <<'PY'
import json, re, sys
log = open(sys.argv[1]).read()
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read())
def num(p):
    m = re.search(p, log)
    return float(m.group(1).replace(',', '')) if m else None
def mib(p):
    m = re.search(p + r" ([0-9.]+) (B|KiB|MiB|GiB)", log)
    if not m: return None
    return float(m.group(1)) * {"B": 2**-20, "KiB": 2**-10, "MiB": 1, "GiB": 1024}[m.group(2)]
line = next((l for l in log.splitlines() if "epoch 1/1:" in l), "")
disk = mib(r"in memory, ") if False else None
m = re.search(r"data ([0-9.]+ \w+) in memory, ([0-9.]+ \w+) on disk, ([0-9.]+ \w+) read from disk", line)
def to_mib(s):
    v, u = s.split(); return float(v) * {"B": 2**-20, "KiB": 2**-10, "MiB": 1, "GiB": 1024}[u]
print(json.dumps({"run": "parquet via CLI (MNIST x2, 4x)", "oversubscription": 4,
    "ok": "done in" in log,
    "images_per_s": num(r"\(([0-9,.]+) images/s\); test accuracy"),
    "test_accuracy": num(r"test accuracy ([0-9.]+)%"),
    "memory_ratio": 4.0,
    "disk_mib": to_mib(m.group(2)) if m else None, "read_mib": to_mib(m.group(3)) if m else None,
    "read_vs_spilled": (to_mib(m.group(3)) / to_mib(m.group(2))) if m and to_mib(m.group(2)) > 0 else None,
    "peak_rss_mib": int(rss.group(1)) // 1024 if rss else None}))
PY
  echo "--- rows (also in $jsonl)"
  cat "$jsonl"
} 2>&1 | grep --line-buffered -v '^WARNING' | tee "$out/sweep.txt"
