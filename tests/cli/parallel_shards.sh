#!/usr/bin/env bash
# The docs/scaling.md recipes, run for real on this machine: GNU parallel runs the shards
# of a sweep (--shard I/N by file) and of one export split by `leanbatch plan` (--shard I/N
# by item); in both cases the shards' declaration rows together are exactly the rows of one
# unsharded run, and the merged JUnit files count the same.
# usage: parallel_shards.sh LEANBATCH SOURCE_DIR WORKDIR
set -euo pipefail
lb=$1 src=$2 work=$3
command -v parallel >/dev/null || { echo "GNU parallel is missing (scripts/setup installs it)"; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"

# (file, name, status) of every decl row, sorted: what a run decided, without timings.
decided() { jq -r 'select(.type=="decl") | [.file, .name, .status] | @tsv' "$@" | sort; }

# 1. A sweep: six exports, two shards by file.
for f in converted/Nat.gcd.ndjson kiota/002_badDef.reject.ndjson tutorial/good/001_basicDef.ndjson \
         axeyum/classical-em.ndjson converted/nanoda-Sexpr2.ndjson lean4export/Nat.add_succ.ndjson; do
  echo "$src/corpora/$f"
done > sweep.txt
"$lb" run -j2 sweep.txt > whole.ndjson || true
parallel --halt never -j2 "'$lb' run -j1 --shard {}/2 --junit shard-{}.xml sweep.txt > shard-{}.ndjson" ::: 1 2 || true
decided whole.ndjson > whole.tsv
decided shard-1.ndjson shard-2.ndjson > shards.tsv
if ! diff -u whole.tsv shards.tsv; then echo "FAIL: sweep shards differ from the whole run"; exit 1; fi
[ "$(wc -l < whole.tsv)" -gt 300 ] || { echo "FAIL: too few rows"; exit 1; }
# Each shard checked its own files only.
if [ -n "$(comm -12 <(cut -f1 <(decided shard-1.ndjson) | sort -u) <(cut -f1 <(decided shard-2.ndjson) | sort -u))" ]; then
  echo "FAIL: a file was checked by both shards"; exit 1
fi
# The summaries add up to the whole run's counts (the jq recipe of docs/scaling.md).
sum=$(jq -s '[.[] | select(.type=="summary")] | {declarations: (map(.declarations) | add), rejected: (map(.rejected) | add)}' -c shard-*.ndjson)
want=$(jq -c 'select(.type=="summary") | {declarations, rejected}' whole.ndjson)
[ "$sum" = "$want" ] || { echo "FAIL: summaries $sum != $want"; exit 1; }
# The JUnit files count the same tests.
tests=$(cat shard-*.xml | grep -o '<testsuites [^>]*tests="[0-9]*"' | grep -o 'tests="[0-9]*"' | grep -o '[0-9]*' | paste -sd+ | bc)
[ "$tests" = "$(jq 'select(.type=="summary") | .declarations' whole.ndjson)" ] || { echo "FAIL: JUnit tests $tests"; exit 1; }

# 2. One export over two machines: plan, then shard by item.
"$lb" plan "$src/corpora/converted/Init.Prelude.ndjson" --parts 2 > parts.ndjson
[ "$(wc -l < parts.ndjson)" = 2 ] || { echo "FAIL: plan did not make 2 parts"; exit 1; }
"$lb" check -j2 "$src/corpora/converted/Init.Prelude.ndjson" > whole-prelude.ndjson
parallel -j2 "'$lb' run -j1 --shard {}/2 parts.ndjson > part-{}.ndjson" ::: 1 2
decided whole-prelude.ndjson > whole-prelude.tsv
decided part-1.ndjson part-2.ndjson > parts.tsv
if ! diff -u whole-prelude.tsv parts.tsv; then echo "FAIL: plan parts differ from the whole run"; exit 1; fi
[ -s part-1.ndjson ] && [ -n "$(decided part-1.ndjson)" ] && [ -n "$(decided part-2.ndjson)" ] ||
  { echo "FAIL: a shard had no work"; exit 1; }
echo "ok: $(wc -l < whole.tsv) sweep rows and $(wc -l < whole-prelude.tsv) plan rows, shards equal one run"
