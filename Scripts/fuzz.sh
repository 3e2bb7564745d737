#!/usr/bin/env bash
# Builds the fuzz targets (the package in Fuzzing/, into .build-fuzz, with libFuzzer and
# AddressSanitizer) and runs each for a fixed budget on its seed corpus (Fuzzing/Corpus/TARGET).
#
#   Scripts/fuzz.sh [TARGET|all] [SECONDS]     default: every target, 20 s each
#
# Any crash, timeout (an input taking over 5 s) or out-of-memory (over 2 GiB) fails the
# script, naming the input that caused it; rerun the target on that file to reproduce it:
#   .build-fuzz/debug/fuzz-TARGET PATH
# New inputs the fuzzer finds go to a scratch folder, not into the committed corpus.
# TASKFARM_FUZZ_ARGS adds libFuzzer options (e.g. "-jobs=2"). See docs/fuzzing.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

all=(tasklist submit pbs slurm dag classad journal client-frames)
target=${1:-all}
seconds=${2:-20}
if [ "$target" = all ]; then
  targets=("${all[@]}")
elif [[ " ${all[*]} " == *" $target "* ]]; then
  targets=("$target")
else
  echo "fuzz.sh: no fuzz target '$target'; expected one of: ${all[*]} (or all)" >&2
  exit 64
fi
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: '$seconds' is not a number of seconds" >&2
  exit 64
fi

scratch="$root/.build-fuzz"
# libFuzzer's driver without its main (SwiftPM gives every executable a main of its own),
# from the Swift toolchain's compiler-rt.
swiftc_path=$(readlink -f "$(command -v swiftc)")
driver=$(find "$(dirname "$swiftc_path")/../lib/clang" -name 'libclang_rt.fuzzer_no_main-*.a' 2>/dev/null | head -n 1)
if [ -z "$driver" ]; then
  echo "fuzz.sh: libclang_rt.fuzzer_no_main is not in the Swift toolchain at $(dirname "$swiftc_path")/..; expected a swift.org toolchain for Linux" >&2
  exit 69
fi
# Every Swift module is built with AddressSanitizer and libFuzzer's coverage
# (what -sanitize=fuzzer turns on, without its main).
build=(swift build --package-path Fuzzing --scratch-path "$scratch"
       -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
       -Xlinker "$driver" -Xlinker -lstdc++)
# One build for all of them, or one per target asked for (SwiftPM takes one --product).
# The linker's notes on AddressSanitizer's local symbols are noise.
quiet() {
  local status=0
  mkdir -p "$scratch"
  "$@" >"$scratch/build.log" 2>&1 || status=$?
  grep -v "Cannot export local symbol '__asan" "$scratch/build.log" || true
  return "$status"
}
if [ ${#targets[@]} -eq ${#all[@]} ]; then
  quiet "${build[@]}"
else
  for name in "${targets[@]}"; do quiet "${build[@]}" --product "fuzz-$name"; done
fi
bin=$("${build[@]}" --show-bin-path)

# The Swift runtime's backtracer would hold a crashing fuzzer for up to 30 s; libFuzzer and
# the sanitizer print the stack themselves.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1}
findings="$scratch/findings"
failed=()
for name in "${targets[@]}"; do
  corpus="$scratch/corpus/$name"
  artifacts="$findings/$name"
  mkdir -p "$corpus" "$artifacts"
  log="$scratch/fuzz-$name.log"
  dict=()
  [ -f "Fuzzing/Dictionaries/$name.dict" ] && dict=(-dict="Fuzzing/Dictionaries/$name.dict")
  echo "fuzz.sh: $name for $seconds s"
  status=0
  # shellcheck disable=SC2086
  "$bin/fuzz-$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=8192 -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" \
    ${TASKFARM_FUZZ_ARGS:-} "$corpus" "Fuzzing/Corpus/$name" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    tail -n 40 "$log" >&2
    echo "fuzz.sh: $name FAILED (exit $status)${input:+ on the input $input}; log: $log" >&2
    [ -n "$input" ] && echo "fuzz.sh: reproduce with $bin/fuzz-$name $input" >&2
    failed+=("$name")
  else
    grep -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' ' | sed "s/^/fuzz.sh: $name passed: /"
    echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s) ran ${seconds} s each with no crash, timeout or out-of-memory"
