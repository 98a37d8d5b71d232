#!/usr/bin/env bash
# Smoke run of every benchmark, codec and Kestrel: BenchmarkDotNet's Dry job runs each one once, in
# process, which proves that they build, that their setup checks pass (each parses or writes the expected
# header, or completes a connection) and that they run. Each program exits non-zero when any of its
# benchmarks fails, and so does this script. Not a measurement: see benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project benchmarks/ProxyProtocol.Benchmarks -- --job Dry --inProcess --filter '*' "$@"
dotnet run -c Release --project benchmarks/ProxyProtocol.AspNetCore.Benchmarks -- --job Dry --inProcess --filter '*' "$@"
