#!/usr/bin/env bash
# Installs Elsa Studio (npm @elsa-workflows/elsa-studio-wasm, pinned below) into artifacts/elsa-studio/ (ignored by git,
# never committed), where the server serves it under /studio-app/ (docs/elsa-api.md, "Hosting Elsa Studio").
# Idempotent: a second run with the same version does nothing. Installs Debian's nodejs and npm when npm is missing.
# Usage: scripts/install-elsa-studio.sh [target folder]   (default: artifacts/elsa-studio; the server reads ElsaStudio:Path)
set -euo pipefail
cd "$(dirname "$0")/.."

package="@elsa-workflows/elsa-studio-wasm"
version="3.8.2"
target="${1:-artifacts/elsa-studio}"
marker="$target/.installed-version"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$package@$version" ] && [ -f "$target/index.html" ] && [ -d "$target/_framework" ]; then
  echo "install-elsa-studio: $package@$version is already in $target"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-elsa-studio: installing Node.js and npm (Debian packages nodejs npm)"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
  ($sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null) \
    || { echo "install-elsa-studio: could not install nodejs/npm" >&2; exit 1; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/elsa-studio.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "install-elsa-studio: npm pack $package@$version (about 46 MB)"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$(ls "$work"/*.tgz | head -n 1)
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
# npm tarballs hold everything under package/; its wwwroot-like content is served as it is.
source="$work/unpacked/package"
if [ -d "$source/wwwroot" ]; then source="$source/wwwroot"; fi
if [ ! -f "$source/index.html" ] || [ ! -d "$source/_framework" ]; then
  echo "install-elsa-studio: the package has no index.html and _framework/ where expected" >&2
  exit 1
fi

# Replace the folder in one move, so that a half-finished install is never served.
rm -rf "$target.new"
mkdir -p "$(dirname "$target")"
cp -a "$source" "$target.new"
echo "$package@$version" > "$target.new/.installed-version"
rm -rf "$target"
mv "$target.new" "$target"
echo "install-elsa-studio: $package@$version installed in $target"
