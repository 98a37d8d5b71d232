#!/usr/bin/env bash
# Every benchmark row, before and after a change, in one sitting: checks out BEFORE (a commit) in a
# temporary worktree, gives it this tree's benchmark sources (so both sides measure exactly the same
# operations; a benchmark the old library cannot compile is reported and left out), then runs the codec
# suite and the Kestrel middleware suite in the order before, after, after, before, so that a slow drift
# of the machine's load hits both sides alike. Prints, per row, the mean of each side's two medians,
# the ratio after / before, and the allocated bytes.
#   bash benchmarks/before-after.sh BEFORE [extra BenchmarkDotNet options, e.g. --job short]
# Example: bash benchmarks/before-after.sh 4e39476
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
before=${1:?usage: before-after.sh BEFORE-COMMIT [BenchmarkDotNet options]}
shift
work=$(mktemp -d)
cleanup() { git -C "$repo" worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

git -C "$repo" worktree add --detach "$work/before" "$before" >/dev/null
for project in ProxyProtocol.Benchmarks ProxyProtocol.AspNetCore.Benchmarks; do
  rm -f "$work/before/benchmarks/$project"/*.cs
  cp "$repo/benchmarks/$project"/*.cs "$work/before/benchmarks/$project/"
done

# run SIDE TREE SUITE: one BenchmarkDotNet run, its CSV reports kept under $work/SIDE-N.
run=0
run() {
  local side=$1 tree=$2 project=$3 filter=$4
  run=$((run + 1))
  echo "== $side: $project ($filter), $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # From inside the tree: BenchmarkDotNet looks for the benchmark's project under the current directory's
  # repository, so run from elsewhere it would build and time the other side's code.
  (cd "$tree" && dotnet run -c Release --project "benchmarks/$project" -- --filter "$filter" \
    --exporters csv --artifacts "$work/$side-$run" "$@") > "$work/$side-$run.log" 2>&1 \
    || { tail -n 40 "$work/$side-$run.log" >&2; echo "before-after.sh: the $side run failed" >&2; exit 1; }
}

codec='*ParseBenchmarks*'
writes='*WriteBenchmarks*'
middleware='*MiddlewareBenchmarks*'
for side in before after after before; do
  tree=$repo; [ "$side" = before ] && tree=$work/before
  run "$side" "$tree" ProxyProtocol.Benchmarks "$codec" "$@"
  run "$side" "$tree" ProxyProtocol.Benchmarks "$writes" "$@"
  run "$side" "$tree" ProxyProtocol.AspNetCore.Benchmarks "$middleware" "$@"
done

# Each CSV: a header line naming the columns, then one line per benchmark; a field is quoted when it holds a
# comma ("1,234.5 ns"). Times are normalised to ns, Allocated to bytes. Plain awk (mawk) has no CSV mode, so
# split() walks the quotes itself.
echo
printf '%-48s %12s %12s %8s %10s %10s\n' benchmark before_ns after_ns ratio alloc_b alloc_a
for csv in $(find "$work" -name '*-report.csv' | sort); do
  side=${csv#"$work/"}; side=${side%%/*}; side=${side%-*}
  suite=$(basename "$csv" -report.csv); suite=${suite##*.}
  awk -v side="$side" -v suite="$suite" '
    function split_csv(line, out,   n, i, c, q, f) { n = 0; f = ""; q = 0
      for (i = 1; i <= length(line); i++) { c = substr(line, i, 1)
        if (c == "\"") q = !q; else if (c == "," && !q) { out[++n] = f; f = "" } else f = f c }
      out[++n] = f; return n }
    function ns(v,  a, n) { gsub(/,/, "", v); split(v, a, " "); n = a[1] + 0
      if (a[2] == "us" || a[2] == "μs") n *= 1000; else if (a[2] == "ms") n *= 1e6; return n }
    function bytes(v,  a, n) { gsub(/,/, "", v); if (v == "-" || v == "") return 0; split(v, a, " "); n = a[1] + 0
      if (a[2] == "KB") n *= 1024; else if (a[2] == "MB") n *= 1048576; return n }
    NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i
      if (!("Median" in col)) { print "before-after.sh: no Median column in " FILENAME " (add [MedianColumn])" > "/dev/stderr"; exit 1 }
      next }
    { split_csv($0, f); print side, suite "." f[col["Method"]], ns(f[col["Median"]]), bytes(f[col["Allocated"]]) }' "$csv"
done | awk '
  { k = $2; n[$1, k]++; sum[$1, k] += $3; a[$1, k] = $4; keys[k] = 1 }
  END { for (k in keys) {
      b = n["before", k] ? sum["before", k] / n["before", k] : 0
      f = n["after", k] ? sum["after", k] / n["after", k] : 0
      printf "%-48s %12.2f %12.2f %8s %10d %10d\n", k, b, f, (b > 0 && f > 0 ? sprintf("%.2f", f / b) : "-"), a["before", k], a["after", k] } }' | sort
