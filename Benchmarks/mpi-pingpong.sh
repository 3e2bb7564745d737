#!/usr/bin/env bash
# Ping-pong latency and bandwidth of the Swift MPI module against the same program in C
# (built with mpicc), OSU micro-benchmark style, on 2 ranks. Builds both in release, runs
# them alternately ROUNDS times in this one run, keeps each side's best (lowest latency,
# highest bandwidth), and prints a Markdown table of Swift/C ratios. Each measurement runs
# in a job of its own.
#
#     Benchmarks/mpi-pingpong.sh            # ROUNDS=5 by default
#     ROUNDS=9 Benchmarks/mpi-pingpong.sh
#
# Run it on an otherwise idle machine: Open MPI's blocking calls busy-poll, so 2 ranks use
# 2 cores, and any other load shows up as noise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}

mkdir -p .build
mpicc -O2 -o .build/mpi-pingpong-c Benchmarks/MPIPingPong/pingpong.c
swift build -c release --package-path Benchmarks/MPIPingPong >&2
swift_bin="$(swift build -c release --package-path Benchmarks/MPIPingPong --show-bin-path)/swift-pingpong"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
# One measurement per job (see pingpong.c), C and Swift alternating.
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    for mode in latency_8B_us latency_bytes_us latency_bytes_reused_us bandwidth_MBps; do
        mpirun -np 2 .build/mpi-pingpong-c "$mode" | sed 's/^/c /' >>"$results"
        mpirun -np 2 "$swift_bin" "$mode" | sed 's/^/swift /' >>"$results"
    done
    mpirun -np 2 "$swift_bin" latency_codable_us | sed 's/^/swift /' >>"$results"
done

awk -v rounds="$ROUNDS" '
    function better(side, name, value) {
        key = side SUBSEP name
        if (!(key in best)) { best[key] = value; return }
        if (name ~ /bandwidth/) { if (value > best[key]) best[key] = value }
        else if (value < best[key]) best[key] = value
    }
    { better($1, $2, $3) }
    END {
        c8 = best["c", "latency_8B_us"];  s8 = best["swift", "latency_8B_us"]
        cb = best["c", "latency_bytes_us"]; sb = best["swift", "latency_bytes_us"]
        cr = best["c", "latency_bytes_reused_us"]; sr = best["swift", "latency_bytes_reused_us"]
        cw = best["c", "bandwidth_MBps"]; sw = best["swift", "bandwidth_MBps"]
        sc = best["swift", "latency_codable_us"]
        printf "Best of %d alternating rounds, 2 ranks, one run.\n\n", rounds
        printf "| measurement | C | Swift | Swift/C | target |\n"
        printf "|---|---:|---:|---:|---|\n"
        printf "| latency, 8 B, fixed buffer (µs) | %.3f | %.3f | %.3f | ≤ 1.10 %s |\n", c8, s8, s8 / c8, (s8 / c8 <= 1.10 ? "✓" : "✗")
        printf "| latency, 8 B bytes payload of unknown size (µs) | %.3f | %.3f | %.3f | ≤ 1.25 %s |\n", cb, sb, sb / cb, (sb / cb <= 1.25 ? "✓" : "✗")
        printf "| latency, 8 B bytes payload of unknown size into a reused buffer (µs) | %.3f | %.3f | %.3f | ≤ 1.25 %s |\n", cr, sr, sr / cr, (sr / cr <= 1.25 ? "✓" : "✗")
        printf "| bandwidth, 1 MiB, window 64 (MB/s) | %.0f | %.0f | %.3f | ≥ 0.95 %s |\n", cw, sw, sw / cw, (sw / cw >= 0.95 ? "✓" : "✗")
        printf "\nCodable payload (5-field struct, BinaryEncoder) vs the Swift bytes payload: "
        printf "%.3f µs vs %.3f µs one-way, %.2fx.\n", sc, sb, sc / sb
    }' "$results"
