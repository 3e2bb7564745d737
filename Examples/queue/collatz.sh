#!/bin/sh
# One task: the Collatz stopping time of $1 (steps to reach 1), written to results/$1.txt.
n=$1
steps=0
while [ "$n" -ne 1 ]; do
  if [ $((n % 2)) -eq 0 ]; then n=$((n / 2)); else n=$((3 * n + 1)); fi
  steps=$((steps + 1))
done
echo "$1 $steps" > "results/$1.txt"
