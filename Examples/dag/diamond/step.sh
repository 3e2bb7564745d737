#!/bin/sh
# The diamond's steps. Each writes its result atomically (a temporary file, then mv),
# so a step that is stopped half-way leaves nothing a later step could mistake for a result.
set -eu
n=100
case "$1" in
numbers) seq 1 "$n" > numbers.tmp && mv numbers.tmp numbers.txt ;;
squares) while read -r x; do echo $((x * x)); done < numbers.txt > squares.tmp && mv squares.tmp squares.txt ;;
doubles) while read -r x; do echo $((2 * x)); done < numbers.txt > doubles.tmp && mv doubles.tmp doubles.txt ;;
check)
    total=0
    for x in $(cat squares.txt doubles.txt); do total=$((total + x)); done
    # sum of k^2 = n(n+1)(2n+1)/6, sum of 2k = n(n+1)
    expected=$((n * (n + 1) * (2 * n + 1) / 6 + n * (n + 1)))
    if [ "$total" -ne "$expected" ]; then
        echo "diamond check FAILED: total $total, expected $expected" >&2
        exit 1
    fi
    echo "$total" > total.txt
    echo "diamond check passed: $total = n(n+1)(2n+1)/6 + n(n+1) for n = $n"
    ;;
*) echo "step.sh: unknown step '$1'" >&2; exit 2 ;;
esac
