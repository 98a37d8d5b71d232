#!/usr/bin/env bash
# Smoke run of every benchmark: BenchmarkDotNet's Dry job runs each one once, in process, which proves
# that they build, that their setup checks pass (each parses or writes the expected header) and that
# they run. Exits non-zero when any benchmark fails. Not a measurement: see benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ProxyProtocol.Benchmarks -- --job Dry --inProcess --filter '*' "$@"
