#!/usr/bin/env bash
# Installs TensorFlow.js for the tests that use it as a second oracle
# (bridge's TestTFJSOracle): @tensorflow/tfjs-core, -converter and
# -backend-cpu at the versions pinned in testdata/tfjs/package.json and
# package-lock.json, into a per-user cache:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/tfjs/node_modules
#
# `npm ci --ignore-scripts` installs exactly the lock's packages, checked
# against its integrity hashes, and runs none of their scripts. Never
# @tensorflow/tfjs-node: its install script downloads libtensorflow, the
# very thing tfoffload does without.
#
# A second run finds the same lock installed (a stamp file holds its
# SHA-256) and does no network access. stdout carries only the cache
# folder; progress and errors go to stderr.
#
# Usage: scripts/install-tfjs.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sha256_of
cd "$(dirname "$0")/.."

log() { echo "install-tfjs: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

src="testdata/tfjs"
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}"
dest="${cache_root}/tfoffload/tfjs"


want="$(sha256_of "$src/package-lock.json")"
if [[ -f "$dest/.installed" && "$(cat "$dest/.installed")" == "$want" && -d "$dest/node_modules/@tensorflow/tfjs-converter" ]]; then
	log "TensorFlow.js already installed"
	echo "$dest"
	exit 0
fi

command -v node >/dev/null 2>&1 || die "node is not installed (e.g. 'sudo apt-get install -y nodejs npm')"
command -v npm >/dev/null 2>&1 || die "npm is not installed (e.g. 'sudo apt-get install -y npm')"

mkdir -p "$(dirname "$dest")"
# Install into a fresh folder and swap it in, so that a failed or
# concurrent run never leaves a half-installed cache behind.
work="$(mktemp -d "$(dirname "$dest")/.tfjs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$src/package.json" "$src/package-lock.json" "$work/"
log "installing $(node -e 'const d=require(process.argv[1]).dependencies; console.log(Object.entries(d).map(([k,v])=>k+"@"+v).join(" "))' "$PWD/$src/package.json")"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
echo "$want" >"$work/.installed"
old="$(dirname "$dest")/.tfjs-old.$$"
if [[ -e "$dest" ]]; then
	mv "$dest" "$old"
fi
mv "$work" "$dest"
rm -rf "$old"
trap - EXIT
log "installed into $dest"
echo "$dest"
