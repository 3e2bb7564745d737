#!/usr/bin/env bash
# Ping-pong latency and bandwidth of the Swift MPI module against the same program in C
# (built with mpicc), OSU micro-benchmark style, on 2 ranks. Builds both in release, runs
# them alternately ROUNDS times in this one run, takes each side's median, and prints a
# Markdown table of Swift/C ratios. Each measurement runs in a job of its own.
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
# One measurement per job (see pingpong.c), C and Swift alternating. Swift's owned-buffer
# receive (ReceivedBytes) is the twin of C's malloc + MPI_Mrecv; its [UInt8] receive adds
# Swift's reference-counted array allocation, reported beside it.
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    for mode in latency_8B_us latency_bytes_us latency_bytes_reused_us bandwidth_MBps; do
        mpirun -np 2 .build/mpi-pingpong-c "$mode" | sed 's/^/c /' >>"$results"
        mpirun -np 2 "$swift_bin" "$mode" | sed 's/^/swift /' >>"$results"
    done
    for mode in latency_bytes_owned_us latency_codable_us; do
        mpirun -np 2 "$swift_bin" "$mode" | sed 's/^/swift /' >>"$results"
    done
done

# The median of each side's rounds: robust to the odd round that another process disturbed
# (or left unusually quiet).
sort -k1,1 -k2,2 -k3,3g "$results" | awk -v rounds="$ROUNDS" '
    { values[$1 SUBSEP $2, ++n[$1 SUBSEP $2]] = $3 }
    function median(side, name,    key, count) {
        key = side SUBSEP name; count = n[key]
        if (count == 0) return 0
        if (count % 2) return values[key, (count + 1) / 2]
        return (values[key, count / 2] + values[key, count / 2 + 1]) / 2
    }
    END {
        c8 = median("c", "latency_8B_us");  s8 = median("swift", "latency_8B_us")
        cb = median("c", "latency_bytes_us"); sb = median("swift", "latency_bytes_us")
        cr = median("c", "latency_bytes_reused_us"); sr = median("swift", "latency_bytes_reused_us")
        so = median("swift", "latency_bytes_owned_us")
        cw = median("c", "bandwidth_MBps"); sw = median("swift", "bandwidth_MBps")
        sc = median("swift", "latency_codable_us")
        printf "Median of %d alternating rounds, 2 ranks, one run.\n\n", rounds
        printf "| measurement | C | Swift | Swift/C | target |\n"
        printf "|---|---:|---:|---:|---|\n"
        printf "| latency, 8 B, fixed buffer (µs) | %.3f | %.3f | %.3f | ≤ 1.10 %s |\n", c8, s8, s8 / c8, (s8 / c8 <= 1.10 ? "✓" : "✗")
        printf "| latency, 8 B bytes payload of unknown size, new buffer: C malloc, Swift ReceivedBytes (µs) | %.3f | %.3f | %.3f | ≤ 1.25 %s |\n", cb, so, so / cb, (so / cb <= 1.25 ? "✓" : "✗")
        printf "| latency, 8 B bytes payload of unknown size, new buffer: C malloc, Swift [UInt8] (µs) | %.3f | %.3f | %.3f | reported |\n", cb, sb, sb / cb
        printf "| latency, 8 B bytes payload of unknown size, reused array (µs) | %.3f | %.3f | %.3f | ≤ 1.25 %s |\n", cr, sr, sr / cr, (sr / cr <= 1.25 ? "✓" : "✗")
        printf "| bandwidth, 1 MiB, window 64 (MB/s) | %.0f | %.0f | %.3f | ≥ 0.95 %s |\n", cw, sw, sw / cw, (sw / cw >= 0.95 ? "✓" : "✗")
        printf "\nCodable payload (5-field struct, BinaryEncoder) vs the Swift bytes payload: "
        printf "%.3f µs vs %.3f µs one-way, %.1fx.\n", sc, sb, sc / sb
    }'
