#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian machine and ends with the line "N passed, N failed".
# Idempotent: installs only what is missing. Usage: ./test.sh
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK 10 (dotnet) is not on PATH; install it first (https://learn.microsoft.com/dotnet/core/install/linux-debian)." >&2
  exit 2
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet restore Reconnect.Workflows.sln || exit 1
dotnet build Reconnect.Workflows.sln -c Release --no-restore || exit 1

status=0
dotnet test Reconnect.Workflows.sln -c Release --no-build \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Count outcomes from the TRX files (one per test project).
passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error); ne=$(get notExecuted)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${ne:-0}))
done
if [ "$total" -eq 0 ]; then
  echo "test.sh: no test results were found" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
