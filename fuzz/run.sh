#!/usr/bin/env bash
# Bounded AFL++ + SharpFuzz run of the PROXY protocol parser (see README.md in this directory).
#
#   usage: fuzz/run.sh [FUZZ_SECONDS]        (default 60; CI runs 120)
#
# 1. publishes ProxyProtocol.Fuzz afresh (Release) into out/publish and instruments ProxyProtocol.dll
#    only (not the harness, not SharpFuzz, not the BCL);
# 2. replays every seed in corpus/ through the harness first: afl-fuzz silently skips seeds that crash,
#    so a regression seed would otherwise pass unnoticed;
# 3. runs afl-fuzz for FUZZ_SECONDS (-V) with the dictionary, findings in out/findings;
# 4. prints each crash and hang with its hex and a replay, then execs, run time and execs/s.
# Exit codes: 0 no crash and no hang; 1 a crash, a hang or a failing seed; 2 setup or afl-fuzz failure,
# or fewer executions than MIN_EXECS (a fuzzer that barely ran proves nothing).
# Works from any directory: every path is relative to this script.
# Needs: the .NET 10 SDK, afl-fuzz (Debian package afl++), the local tool manifest next to this
# script (dotnet-tools.json: sharpfuzz.commandline 2.3.0; restored here).
set -euo pipefail

# NB: not called SECONDS, which is bash's built-in timer.
FUZZ_SECONDS="${1:-60}"
[[ "$FUZZ_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [FUZZ_SECONDS>0]" >&2; exit 2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ---- settings (override through the environment) -------------------------------------------------
HARNESS_PROJECT="${HARNESS_PROJECT:-$HERE/ProxyProtocol.Fuzz/ProxyProtocol.Fuzz.csproj}"
HARNESS_DLL="${HARNESS_DLL:-ProxyProtocol.Fuzz.dll}"
LIB_ASSEMBLIES="${LIB_ASSEMBLIES:-ProxyProtocol.dll}"   # instrumented; space-separated
CORPUS_DIR="${CORPUS_DIR:-$HERE/corpus}"
DICT_FILE="${DICT_FILE:-$HERE/proxy.dict}"
OUT_DIR="${OUT_DIR:-$HERE/out}"                         # git-ignored (fuzz/.gitignore)
EXEC_TIMEOUT_MS="${EXEC_TIMEOUT_MS:-3000}"              # afl -t (an execution takes ~0.1 ms; see README "Timeouts")
PUBLISH_ARGS="${PUBLISH_ARGS:-}"                        # extra `dotnet publish` arguments
HEX_MAX_BYTES="${HEX_MAX_BYTES:-1024}"                  # cap on the bytes hex-dumped per finding
# Fewest executions for a pass: 100,000 per 120 s by default (~833/s; this harness did 3,000-9,700/s on a
# busy 2-core machine). 0 disables the check.
MIN_EXECS="${MIN_EXECS:-$(( FUZZ_SECONDS * 100000 / 120 ))}"
# ---------------------------------------------------------------------------------------------------

PUB_DIR="$OUT_DIR/publish"
FINDINGS_DIR="$OUT_DIR/findings"
AFL_LOG="$OUT_DIR/afl-fuzz.log"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Unattended, no tty, possibly in a container:
export AFL_SKIP_BIN_CHECK=1                     # required: the target binary is `dotnet`, which has no AFL instrumentation
export AFL_NO_UI=1                              # plain log lines, tty or not
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1  # don't abort when core_pattern pipes to a handler; SharpFuzz reports crashes over the fork-server pipe
export AFL_SKIP_CPUFREQ=1                       # the CPU governor is not ours to change
export AFL_TRY_AFFINITY=1                       # pin to a free core (about 2x faster) but carry on if none is free
export AFL_FORKSRV_INIT_TMOUT="${AFL_FORKSRV_INIT_TMOUT:-30000}"  # ms for `dotnet` to start and say hello
# A timed-out execution kills SharpFuzz's child process; afl then re-runs the input with this timeout to
# confirm the hang, and that re-run pays for a cold `dotnet` start. Give it room, or one stall of a busy
# machine turns into a "confirmed" hang.
export AFL_HANG_TMOUT="${AFL_HANG_TMOUT:-10000}"

die() { echo "run.sh: $*" >&2; exit 2; }
hex() { head -c "$HEX_MAX_BYTES" "$1" | od -An -v -tx1 | tr -d ' \n'; }

command -v dotnet >/dev/null || die "dotnet not on PATH (SharpFuzz's fork server also starts 'dotnet' from PATH)"
command -v afl-fuzz >/dev/null || die "afl-fuzz not found: apt-get install -y afl++"
[[ -f "$HARNESS_PROJECT" ]] || die "harness project not found: $HARNESS_PROJECT"
[[ -d "$CORPUS_DIR" ]] && compgen -G "$CORPUS_DIR/*" >/dev/null || die "empty or missing corpus: $CORPUS_DIR"
[[ -f "$DICT_FILE" ]] || die "dictionary not found: $DICT_FILE"
DOTNET="$(command -v dotnet)"

mkdir -p "$OUT_DIR"
t0=$(date +%s)

echo "== restore local tools ($HERE/dotnet-tools.json)"
(cd "$HERE" && dotnet tool restore >/dev/null) || die "dotnet tool restore failed"

echo "== publish $(basename "$HARNESS_PROJECT") (Release) -> $PUB_DIR"
rm -rf "$PUB_DIR"   # an instrumented assembly can't be instrumented again: always start fresh
# shellcheck disable=SC2086  # PUBLISH_ARGS is meant to be word-split
dotnet publish "$HARNESS_PROJECT" -c Release -o "$PUB_DIR" --nologo -v quiet $PUBLISH_ARGS \
  || die "dotnet publish failed"
[[ -f "$PUB_DIR/$HARNESS_DLL" ]] || die "harness not found after publish: $PUB_DIR/$HARNESS_DLL"

for asm in $LIB_ASSEMBLIES; do
  echo "== instrument $asm"
  [[ -f "$PUB_DIR/$asm" ]] || die "library assembly not in the publish output: $asm"
  (cd "$HERE" && dotnet sharpfuzz "$PUB_DIR/$asm") || die "sharpfuzz failed on $asm"
done
echo "== publish + instrument took $(( $(date +%s) - t0 )) s"

# The harness's replay mode (file arguments) runs every seed in one process, with all invariants.
seeds=$(find "$CORPUS_DIR" -type f ! -name '.*' | wc -l)
echo "== replay $seeds seed(s) from $CORPUS_DIR"
rc=0; out=$( { timeout 300 "$DOTNET" "$PUB_DIR/$HARNESS_DLL" "$CORPUS_DIR" 2>&1; } 2>&1 ) || rc=$?
if [[ $rc -ne 0 ]]; then
  printf '%s\n' "$out" | grep -v '^ok ' | grep -v '^ *at System\.' | head -40 | sed 's/^/    /'
  [[ $rc -eq 124 ]] && echo "FUZZING FAILED: replaying the seeds hung (> 300 s)" \
                    || echo "FUZZING FAILED: seeds already fail (exit $rc); fix them before fuzzing"
  exit 1
fi
printf '%s\n' "$out" | tail -1 | sed 's/^/    /'

echo "== afl-fuzz for $FUZZ_SECONDS s (log: $AFL_LOG)"
rm -rf "$FINDINGS_DIR"
afl_rc=0
# -V bounds the fuzzing time; the outer timeout also bounds start-up and calibration.
timeout --kill-after=10 "$((FUZZ_SECONDS + 180))" \
  afl-fuzz -V "$FUZZ_SECONDS" -D -x "$DICT_FILE" -i "$CORPUS_DIR" -o "$FINDINGS_DIR" \
           -t "$EXEC_TIMEOUT_MS" -- "$DOTNET" "$PUB_DIR/$HARNESS_DLL" \
  </dev/null >"$AFL_LOG" 2>&1 || afl_rc=$?

STATS="$FINDINGS_DIR/default/fuzzer_stats"
if [[ $afl_rc -ne 0 || ! -f "$STATS" ]]; then
  echo "afl-fuzz failed (exit $afl_rc); last lines of $AFL_LOG:" >&2
  sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$AFL_LOG" | grep -v 'Fuzzing test case' | tail -25 >&2
  exit 2
fi

stat_of() { sed -n "s/^$1 *: *//p" "$STATS"; }

report() { # $1 = crash|hang, $2 = directory; counts findings that replay into $reproduced
  local kind=$1 dir=$2 f size replay rc
  for f in "$dir"/id:*; do
    [[ -e "$f" ]] || continue
    size=$(wc -c <"$f")
    echo "--- $kind: $f ($size bytes)"
    echo "    hex: $(hex "$f")$([[ $size -gt $HEX_MAX_BYTES ]] && echo "... (truncated)")"
    # The target is deterministic, so a real finding replays. Outside afl-fuzz SharpFuzz runs the target
    # once on stdin: an escaping exception is printed and the process aborts (exit 134).
    rc=0; replay=$( { timeout "$(( AFL_HANG_TMOUT / 1000 + 10 ))" "$DOTNET" "$PUB_DIR/$HARNESS_DLL" <"$f" 2>&1; } 2>&1 ) || rc=$?
    if [[ $rc -ne 0 ]]; then
      reproduced=$((reproduced + 1))
      [[ $rc -eq 124 ]] && echo "    replay: REPRODUCED (still running after $(( AFL_HANG_TMOUT / 1000 + 10 )) s)" || echo "    replay: REPRODUCED (exit $rc)"
    else
      echo "    replay: not reproduced (exit 0): the input passes on its own; the timeout or crash came from the"
      echo "            machine (a stall, a killed child process), not from this input. See fuzz/README.md."
    fi
    echo "    command: dotnet $PUB_DIR/$HARNESS_DLL < '$f'"
    printf '%s\n' "$replay" | grep -v '^[[:space:]]*$' | grep -v '^ *at System\.' | head -6 | cut -c1-400 | sed 's/^/      /' || true
  done
}

crashes=$(find "$FINDINGS_DIR/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$FINDINGS_DIR/default/hangs" -name 'id:*' 2>/dev/null | wc -l)

echo "== results"
reproduced=0
report crash "$FINDINGS_DIR/default/crashes"
report hang "$FINDINGS_DIR/default/hangs"
execs=$(stat_of execs_done); rt=$(stat_of run_time)
echo "crashes: $crashes"
echo "hangs: $hangs"
echo "reproduced on replay: $reproduced of $((crashes + hangs))"
echo "execs_done: $execs"
echo "run_time: $rt s"
echo "execs_per_sec: $(( rt > 0 ? execs / rt : execs ))"
echo "corpus_count: $(stat_of corpus_count)  edges_found: $(stat_of edges_found)  stability: $(stat_of stability)"
echo "findings: $FINDINGS_DIR/default"

if (( crashes + hangs > 0 )); then
  echo "FUZZING FAILED: $crashes crash(es), $hangs hang(s)"
  exit 1
fi
if (( ${execs:-0} < MIN_EXECS )); then
  echo "FUZZING FAILED: only ${execs:-0} executions in $FUZZ_SECONDS s, fewer than the minimum of $MIN_EXECS (MIN_EXECS)"
  exit 2
fi
echo "FUZZING OK: no crash, no hang in $FUZZ_SECONDS s ($execs executions, minimum $MIN_EXECS)"
