#!/usr/bin/env bash
# Adds an EF Core migration for every provider: ./scripts/add-migration.sh <Name>
# (dotnet-ef puts the model snapshot under a folder named after --namespace; it is moved next to its migrations.)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh <MigrationName>}
project=src/Reconnect.Workflows.Persistence
dotnet tool restore >/dev/null
for pair in Sqlite:Sqlite Postgres:PostgreSql SqlServer:SqlServer; do
  context=${pair%%:*}; folder=${pair##*:}
  dotnet ef migrations add "$name" --project "$project" --context "${context}ReconnectDbContext" \
    --output-dir "Migrations/$folder" --namespace "Reconnect.Workflows.Persistence.Migrations.$folder"
  snapshot=$(find "$project/Reconnect" -name "*Snapshot.cs" -path "*/$folder/*" 2>/dev/null || true)
  if [ -n "$snapshot" ]; then mv "$snapshot" "$project/Migrations/$folder/"; fi
done
rm -rf "$project/Reconnect"
