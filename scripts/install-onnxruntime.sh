#!/usr/bin/env bash
# Installs the ONNX Runtime shared library that tfoffload's engine loads.
#
# The library is Microsoft's official build, taken from the npm package
# onnxruntime-node (pinned version below). The package is fetched with
# `npm pack`, which downloads the tarball without running any of its scripts;
# it is never `npm install`ed. Only libonnxruntime.so.1 is extracted, into a
# per-user cache:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/onnxruntime/<version>/libonnxruntime.so.1
#
# which is one of the places engine looks (after an explicit option and
# ONNXRUNTIME_SHARED_LIBRARY_PATH). The extracted library must match the
# pinned SHA-256 for this machine's architecture.
#
# stdout carries only the library's path; progress and errors go to stderr.
# A second run finds the verified library in the cache and does no network
# access.
#
# Usage: scripts/install-onnxruntime.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sha256_of

ort_version="1.30.0"
npm_package="onnxruntime-node@${ort_version}"

# SHA-256 of package/bin/napi-v6/linux/<arch>/libonnxruntime.so.1 inside
# onnxruntime-node-1.30.0.tgz.
sha256_x64="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"
sha256_arm64="1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"

log() { echo "install-onnxruntime: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

os="$(uname -s)"
[[ "$os" == "Linux" ]] || die "unsupported OS '$os': this script installs the Linux build only; on other systems set ONNXRUNTIME_SHARED_LIBRARY_PATH to an ONNX Runtime ${ort_version} library"

case "$(uname -m)" in
x86_64 | amd64)
	arch="x64"
	want_sha="$sha256_x64"
	;;
aarch64 | arm64)
	arch="arm64"
	want_sha="$sha256_arm64"
	;;
*) die "unsupported architecture '$(uname -m)': onnxruntime-node ships Linux builds for x86_64 and aarch64 only" ;;
esac


cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}"
dest_dir="${cache_root}/tfoffload/onnxruntime/${ort_version}"
dest="${dest_dir}/libonnxruntime.so.1"

if [[ -f "$dest" ]]; then
	if [[ "$(sha256_of "$dest")" == "$want_sha" ]]; then
		log "ONNX Runtime ${ort_version} already installed"
		echo "$dest"
		exit 0
	fi
	log "cached library $dest fails its checksum; fetching it again"
fi

command -v npm >/dev/null 2>&1 || die "npm is not installed; install Node.js and npm (e.g. 'sudo apt-get install -y npm'), or download ONNX Runtime ${ort_version} yourself and set ONNXRUNTIME_SHARED_LIBRARY_PATH to its libonnxruntime.so"
command -v tar >/dev/null 2>&1 || die "tar is not installed"

work="$(mktemp -d "${TMPDIR:-/tmp}/tfoffload-ort.XXXXXX")"
tmp_dest=""
trap 'rm -rf "$work"; [[ -z "$tmp_dest" ]] || rm -f "$tmp_dest"' EXIT

log "fetching ${npm_package} with npm pack (about 110 MB)"
# npm writes the tarball's name on stdout; keep our stdout for the path only.
if ! (cd "$work" && npm pack --ignore-scripts --silent "$npm_package" >"$work/pack.out" 2>"$work/pack.err"); then
	cat "$work/pack.err" >&2
	die "npm pack ${npm_package} failed"
fi
tarball="$(find "$work" -maxdepth 1 -name 'onnxruntime-node-*.tgz' | head -n 1)"
[[ -n "$tarball" ]] || die "npm pack produced no tarball"

member="package/bin/napi-v6/linux/${arch}/libonnxruntime.so.1"
log "extracting ${member}"
tar -xzf "$tarball" -C "$work" "$member" || die "${member} is missing from $(basename "$tarball")"

got_sha="$(sha256_of "$work/$member")"
if [[ "$got_sha" != "$want_sha" ]]; then
	die "checksum mismatch for ${member}: got ${got_sha}, want ${want_sha}"
fi

mkdir -p "$dest_dir"
# Install atomically so that a concurrent reader never sees a partial file.
tmp_dest="$(mktemp "${dest_dir}/.libonnxruntime.XXXXXX")"
cp "$work/$member" "$tmp_dest"
chmod 0755 "$tmp_dest"
mv -f "$tmp_dest" "$dest"
tmp_dest=""
log "installed ONNX Runtime ${ort_version} (${arch})"
echo "$dest"
