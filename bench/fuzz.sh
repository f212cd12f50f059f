#!/usr/bin/env bash
# Longer coverage-guided fuzzing of the file readers with Jazzer (see docs/fuzzing.md).
#
#   bench/fuzz.sh [seconds-per-target] [FuzzTestClass ...]
#
# Runs each @FuzzTest in its own JVM (Jazzer fuzzes one target per JVM) through the pom's
# fuzz-short execution: -Xmx512m, a class path without Spark, coverage instrumentation on.
# Findings are written next to the seed corpus (src/test/resources/.../<Class>Inputs/<method>/
# crash-*), where the regression run of `mvn test` replays them from then on; the corpus grown
# while fuzzing stays in .cifuzz-corpus/ (git-ignored) and seeds the next run. Logs go to
# bench/results/fuzz-<time>/. Prints executions, coverage and findings per target; exits 1
# when any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."

per_target=${1:-300}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(MnistIdxFuzzTest ModelStoreFuzzTest ConfigFuzzTest OnnxFuzzTest)
fi
case "$per_target" in
  ''|*[!0-9]*) echo "usage: bench/fuzz.sh [seconds-per-target] [FuzzTestClass ...]" >&2; exit 2 ;;
esac

out="bench/results/fuzz-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "compiling tests ..."
if ! mvn -B -q test-compile > "$out/compile.log" 2>&1; then
  cat "$out/compile.log" >&2
  exit 2
fi

crash_files() {
  find src/test/resources -path '*FuzzTestInputs*' -name 'crash-*' -type f 2>/dev/null | sort
}

summary=()
found_any=0
for t in "${targets[@]}"; do
  echo "fuzzing $t for ${per_target}s (log: $out/$t.log) ..."
  before=$(crash_files)
  start=$(date +%s)
  mvn -B surefire:test@fuzz-short -Dtest="$t" -Dspindle.fuzz.seconds="$per_target" \
    -Djazzer.internal.basedir="$PWD" -Djazzer.keep_going=20 > "$out/$t.log" 2>&1
  rc=$?
  wall=$(( $(date +%s) - start ))
  runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$out/$t.log" | tail -1 | grep -oE '[0-9]+' | head -1)
  stats=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<< "$stats" | grep -oE '[0-9]+')
  corp=$(grep -oE 'corp: [0-9]+' <<< "$stats" | grep -oE '[0-9]+')
  seed=$(grep -oE 'Seed: [0-9]+' "$out/$t.log" | head -1 | grep -oE '[0-9]+')
  new=$(comm -13 <(echo "$before") <(crash_files) | sed '/^$/d')
  findings=$(grep -c 'Test unit written to' "$out/$t.log")
  if [ "$rc" -ne 0 ] || [ "$findings" -gt 0 ]; then
    found_any=1
  fi
  summary+=("$(printf '%-20s %11s %6s %7s %8s %6s %11s %3s' "$t" "${runs:-?}" "${cov:-?}" \
    "${corp:-?}" "${findings}" "${wall}s" "${seed:-?}" "$rc")")
  if [ -n "$new" ]; then
    echo "  new findings (replayed by mvn test from now on):"
    sed 's/^/    /' <<< "$new"
    grep -E 'FuzzTestFindingException|^Caused by' "$out/$t.log" | sort -u | head -5 | sed 's/^/    /'
  fi
done

echo
printf '%-20s %11s %6s %7s %8s %6s %11s %3s\n' target executions cov corpus crashes wall seed rc
printf '%s\n' "${summary[@]}"
echo "logs: $out"
exit $found_any
