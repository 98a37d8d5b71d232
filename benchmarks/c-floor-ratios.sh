#!/usr/bin/env bash
# Parse times of the five reference headers against a C lower bound, in one sitting: runs
# ../shared/perf/c-floor.sh (plain C over the same bytes, gcc -O2), then the matching ParseBenchmarks
# (BenchmarkDotNet), then the C floor again, and prints each median and the ratio ours / C, against the
# faster of the two C runs (this machine has spells in which everything runs about 2x slower; taking the
# faster C run keeps such a spell from flattering the ratio). Ratios from one sitting are the figures to
# quote on a shared, noisy machine; absolute times from different sittings are not.
#   bash benchmarks/c-floor-ratios.sh [extra BenchmarkDotNet options, e.g. --job short]
# Needs gcc and the project's shared/ folder beside the repository (SHARED_DIR overrides where it is).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$repo/../shared}
[ -f "$shared/perf/c-floor.sh" ] || { echo "c-floor-ratios.sh: $shared/perf/c-floor.sh not found (set SHARED_DIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== C floor, before (${C_FLOOR_ITERATIONS:-2000000} iterations per sample)"
bash "$shared/perf/c-floor.sh" "${C_FLOOR_ITERATIONS:-2000000}" | tee "$work/c1.txt"

echo "== ParseBenchmarks"
# From inside the repository: BenchmarkDotNet finds the project to build under the current directory's tree.
cd "$repo"
dotnet run -c Release --project benchmarks/ProxyProtocol.Benchmarks -- \
  --filter '*ParseBenchmarks.V1_Tcp4' '*ParseBenchmarks.V1_Tcp6' '*ParseBenchmarks.V2_Tcp4' '*ParseBenchmarks.V2_Tcp6' '*ParseBenchmarks.V2_Tcp4_FourTlvs_Walk' '*ParseBenchmarks.V2_Tcp4_FourTlvs_ReadFour' \
  --exporters csv --artifacts "$work/bdn" "$@" > "$work/bdn.log" 2>&1 || { cat "$work/bdn.log" >&2; exit 1; }
csv=$(find "$work/bdn" -name '*ParseBenchmarks-report.csv' | head -n 1)
[ -n "$csv" ] || { echo "c-floor-ratios.sh: no BenchmarkDotNet report" >&2; exit 1; }

echo "== C floor, after"
bash "$shared/perf/c-floor.sh" "${C_FLOOR_ITERATIONS:-2000000}" | tee "$work/c2.txt"

# BenchmarkDotNet's CSV quotes nothing here; the Median column holds "12.34 ns" (or us). The C table names the
# headers V1_TCP4 ... V2_TLVS; the benchmarks are V1_Tcp4 ... V2_Tcp4_FourTlvs_Walk. Two rows compare with V2_TLVS:
# _ReadFour does what the C loop does (one pass reading four values), _Walk more (every TLV, then the AWS id
# again through its accessor, which also checks the id's characters).
echo
echo "== Ratios (ours / C floor, medians of this sitting)"
awk -F',' -v c1file="$work/c1.txt" -v c2file="$work/c2.txt" '
  BEGIN {
    while ((getline line < c1file) > 0) { split(line, f, " +"); if (f[1] ~ /^V[12]_/) c1[f[1]] = f[2] }
    while ((getline line < c2file) > 0) { split(line, f, " +"); if (f[1] ~ /^V[12]_/) c2[f[1]] = f[2] }
    for (k in c1) c[k] = (k in c2 && c2[k] + 0 < c1[k] + 0) ? c2[k] : c1[k]
    name["V1_Tcp4"] = "V1_TCP4"; name["V1_Tcp6"] = "V1_TCP6"; name["V2_Tcp4"] = "V2_TCP4"
    name["V2_Tcp6"] = "V2_TCP6"; name["V2_Tcp4_FourTlvs_Walk"] = "V2_TLVS"; name["V2_Tcp4_FourTlvs_ReadFour"] = "V2_TLVS"
    printf "%-28s %10s %12s %12s %8s\n", "benchmark", "ours_ns", "c_before_ns", "c_after_ns", "ratio"
  }
  NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "Method") m = i; if ($i == "Median") med = i }; next }
  {
    split($med, v, " "); ns = v[1] + 0; gsub(/,/, "", v[1])
    if (v[2] == "us" || v[2] == "μs") ns *= 1000
    key = name[$m]; if (key == "" || c[key] == "") next
    printf "%-28s %10.2f %12.2f %12.2f %8.2f\n", $m, ns, c1[key], c2[key], ns / c[key]
  }' "$csv"
