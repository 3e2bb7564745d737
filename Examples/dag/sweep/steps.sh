#!/bin/sh
# The sweep's steps: pi from the Leibniz series 4 * sum (-1)^k / (2k + 1), truncated after
# more and more terms; the error must fall about 4 times with each 4 times more terms.
set -eu
case "$1" in
prepare)
    mkdir -p results
    for n in 0 1 2 3 4 5 6 7; do echo $((1000 * (1 << (2 * n)))); done > counts.tmp
    mv counts.tmp counts.txt ;;
term)
    terms=$(sed -n "$(($2 + 1))p" counts.txt)
    awk -v n="$terms" 'BEGIN { s = 0; for (k = 0; k < n; k++) s += (k % 2 ? -4 : 4) / (2 * k + 1); printf "%d %.15f\n", n, s }' \
        > "results/$2.tmp"
    mv "results/$2.tmp" "results/$2.txt" ;;
reduce)
    cat results/0.txt results/1.txt results/2.txt results/3.txt results/4.txt results/5.txt results/6.txt results/7.txt |
    awk 'BEGIN { pi = atan2(0, -1) }
         { error = $2 - pi; if (error < 0) error = -error
           printf "%10d terms: pi ~ %.12f, error %.3e\n", $1, $2, error
           if (NR > 1 && (error * 4 > last * 1.01 || error * 4 < last * 0.99)) bad = 1
           last = error }
         END { if (NR != 8 || bad) { print "sweep check FAILED" > "/dev/stderr"; exit 1 }
               print "sweep check passed: 8 truncations, each error 4 times smaller than the last" }' ;;
report)
    # The POST script of reduce: passes on its job's exit status ($RETURN), and says so.
    if [ "$2" = 0 ]; then tail -n 1 logs/reduce.log; else echo "reduce failed with status $2"; fi
    exit "$2" ;;
*) echo "steps.sh: unknown step '$1'" >&2; exit 2 ;;
esac
