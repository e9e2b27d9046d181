#!/usr/bin/env bash
# Runs the system. Until the hosted server lands (issue 3), this simulates the sample workflow on a fake clock.
set -euo pipefail
cd "$(dirname "$0")"
dotnet run --project src/Reconnect.Workflows.Cli -c Release -- simulate samples/follow-up-timers.json \
  --start 2027-01-04T09:00:00Z --input '{"releaseDate": "2027-02-01"}' "$@"
