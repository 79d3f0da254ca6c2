#!/usr/bin/env bash
# Rebuilds the libpng reference of package image's PNG decoding: writes
# the test images with mkpng.go, compiles refpng.c (libpng with
# TensorFlow's png_io.cc transformations) and decodes every image with
# every channels (0, 1, 3, 4) and bits (8, 16) setting, one line each to
# reference.txt:  FILE CHANNELS BITS HEIGHT WIDTH OUTCHANNELS SHA256
# (samples as bytes, or little-endian uint16). Run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$here"
go run mkpng.go
gcc -O2 -Wall -o "$tmp/refpng" refpng.c -lpng
{
	echo "# Written by make.sh with $(dpkg-query -W -f='libpng ${Version}' libpng16-16 2>/dev/null || echo libpng)."
	echo "# FILE CHANNELS BITS HEIGHT WIDTH OUTCHANNELS SHA256"
	for f in *.png; do
		for ch in 0 1 3 4; do
			for bits in 8 16; do
				sum="$("$tmp/refpng" "$f" "$ch" "$bits" 2>"$tmp/dims" | sha256sum | cut -d' ' -f1)"
				echo "$f $ch $bits $(cat "$tmp/dims") $sum"
			done
		done
	done
} >reference.txt
echo "make.sh: wrote $(grep -vc '^#' reference.txt) reference decodes" >&2
