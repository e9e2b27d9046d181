#!/usr/bin/env bash
# Runs the system on SQLite (data/reconnect.db) with demo accounts (password Reconnect-demo-1) on http://localhost:5000.
# Open http://localhost:5000/scalar for the API. Extra arguments go to the server (e.g. --urls http://0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")"
# Elsa Studio 3.8.2 (served at /studio after sign-in): downloaded once into artifacts/elsa-studio (npm pack).
scripts/install-elsa-studio.sh || echo "run.sh: Elsa Studio could not be installed; /studio will say how to install it" >&2
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Seed__DemoData="${Seed__DemoData:-true}"
exec dotnet run --project src/Reconnect.Workflows.Server -c Release -- --urls "${URLS:-http://localhost:5000}" "$@"
