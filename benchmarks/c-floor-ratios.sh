#!/usr/bin/env bash
# Parse times of the five reference headers against a C lower bound, in one sitting: runs
# ../shared/perf/c-floor.sh (plain C over the same bytes, gcc -O2), then the matching ParseBenchmarks
# (BenchmarkDotNet), and prints each median and the ratio ours / C. Ratios from one sitting are the
# figures to quote on a shared, noisy machine; absolute times from different sittings are not.
#   bash benchmarks/c-floor-ratios.sh [extra BenchmarkDotNet options, e.g. --job short]
# Needs gcc and the project's shared/ folder beside the repository (SHARED_DIR overrides where it is).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$repo/../shared}
[ -f "$shared/perf/c-floor.sh" ] || { echo "c-floor-ratios.sh: $shared/perf/c-floor.sh not found (set SHARED_DIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== C floor (${C_FLOOR_ITERATIONS:-2000000} iterations per sample)"
bash "$shared/perf/c-floor.sh" "${C_FLOOR_ITERATIONS:-2000000}" | tee "$work/c.txt"

echo "== ParseBenchmarks"
dotnet run -c Release --project "$repo/benchmarks/ProxyProtocol.Benchmarks" -- \
  --filter '*ParseBenchmarks.V1_Tcp4' '*ParseBenchmarks.V1_Tcp6' '*ParseBenchmarks.V2_Tcp4' '*ParseBenchmarks.V2_Tcp6' '*ParseBenchmarks.V2_Tcp4_FourTlvs_Walk' \
  --exporters csv --artifacts "$work/bdn" "$@" > "$work/bdn.log" 2>&1 || { cat "$work/bdn.log" >&2; exit 1; }
csv=$(find "$work/bdn" -name '*ParseBenchmarks-report.csv' | head -n 1)
[ -n "$csv" ] || { echo "c-floor-ratios.sh: no BenchmarkDotNet report" >&2; exit 1; }

# BenchmarkDotNet's CSV quotes nothing here; the Median column holds "12.34 ns" (or us). The C table names the
# headers V1_TCP4 ... V2_TLVS; the benchmarks are V1_Tcp4 ... V2_Tcp4_FourTlvs_Walk.
echo
echo "== Ratios (ours / C floor, medians of this sitting)"
awk -F',' -v cfile="$work/c.txt" '
  BEGIN {
    while ((getline line < cfile) > 0) { split(line, f, " +"); if (f[1] ~ /^V[12]_/) c[f[1]] = f[2] }
    name["V1_Tcp4"] = "V1_TCP4"; name["V1_Tcp6"] = "V1_TCP6"; name["V2_Tcp4"] = "V2_TCP4"
    name["V2_Tcp6"] = "V2_TCP6"; name["V2_Tcp4_FourTlvs_Walk"] = "V2_TLVS"
    printf "%-24s %12s %12s %8s\n", "benchmark", "ours_ns", "c_ns", "ratio"
  }
  NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "Method") m = i; if ($i == "Median") med = i }; next }
  {
    split($med, v, " "); ns = v[1] + 0; gsub(/,/, "", v[1])
    if (v[2] == "us" || v[2] == "μs") ns *= 1000
    key = name[$m]; if (key == "" || c[key] == "") next
    printf "%-24s %12.2f %12.2f %8.2f\n", $m, ns, c[key], ns / c[key]
  }' "$csv"
