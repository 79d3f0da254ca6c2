#!/usr/bin/env bash
# Installs real photographs for the quantization agreement tests: the
# photographic stamps of Debian's package tuxpaint-stamps-default (version
# 2022.06.04-1; cut-out photos of animals, food, plants, household objects,
# clothes, vehicles, sports gear and coins, as PNG with transparency; the
# stamps' licences are in the package's copyright file), into a per-user
# cache:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/photos/<category>/.../<name>.png
#
# Only the photographic categories are kept: not the cartoon folders, the
# letters, signs and symbols, nor the mirrored copies. `apt-get download`
# fetches the package file only (nothing is installed, no root needed); its
# SHA-256 is checked before it is unpacked. A second run finds the stamp
# and does no network access. stdout carries only the cache folder;
# progress and errors go to stderr.
#
# Usage: scripts/install-photos.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sha256_of

log() { echo "install-photos: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

package="tuxpaint-stamps-default"
version="2022.06.04-1"
want="6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34"
categories=(animals food plants household clothes vehicles sports symbols/money)
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}"
dest="${cache_root}/tfoffload/photos"

if [[ -f "$dest/.installed" && "$(cat "$dest/.installed")" == "$want" ]]; then
	log "photos already installed"
	echo "$dest"
	exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get is not available: the photos come from Debian's $package package"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is not installed"
mkdir -p "$(dirname "$dest")"
# Unpack into a fresh folder and swap it in, so that a failed or
# concurrent run never leaves a half-installed cache behind.
work="$(mktemp -d "$(dirname "$dest")/.photos.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "fetching $package=$version"
download() { (cd "$work" && apt-get download -qq "$package=$version" >/dev/null 2>"$work/apt.err"); }
if ! download; then
	# The package lists may be missing (images often delete them) or old.
	sudo=()
	if [[ "$(id -u)" -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "apt-get download $package=$version failed and updating the lists needs root: $(tail -1 "$work/apt.err")"
		sudo=(sudo)
	fi
	log "updating the apt lists"
	"${sudo[@]}" apt-get update -qq >&2
	download || die "apt-get download $package=$version failed: $(tail -1 "$work/apt.err")"
fi
deb="$(compgen -G "$work/${package}_*.deb")" || die "apt-get download left no .deb in $work"
got="$(sha256_of "$deb")"
[[ "$got" == "$want" ]] || die "$(basename "$deb") has SHA-256 $got, want $want"
dpkg-deb -x "$deb" "$work/pkg"
stamps="$work/pkg/usr/share/tuxpaint/stamps"
mkdir -p "$work/photos"
n=0
while IFS= read -r -d '' f; do
	rel="${f#"$stamps"/}"
	case "$rel" in */cartoon/* | *mirror*) continue ;; esac
	mkdir -p "$work/photos/$(dirname "$rel")"
	cp "$f" "$work/photos/$rel"
	n=$((n + 1))
done < <(cd "$stamps" && find "${categories[@]/#/$stamps/}" -name '*.png' -print0 | sort -z)
[[ $n -gt 0 ]] || die "$package $version holds none of the expected stamps"
cp "$work/pkg/usr/share/doc/$package/copyright" "$work/photos/COPYRIGHT" 2>/dev/null || true
echo "$want" >"$work/photos/.installed"
old="$(dirname "$dest")/.photos-old.$$"
if [[ -e "$dest" ]]; then
	mv "$dest" "$old"
fi
mv "$work/photos" "$dest"
rm -rf "$old"
log "installed $n photos into $dest"
echo "$dest"
