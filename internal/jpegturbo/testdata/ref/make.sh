#!/usr/bin/env bash
# Rebuilds package jpegturbo's reference values with libjpeg-turbo itself:
# compiles refdecode.c, writes the synthetic test images (../*.jpg) when
# they are missing, and decodes them and the photos in ../shared/models/images
# (when present) with every combination of settings the tests check,
# writing one line per decode to ../reference.txt:
#   FILE CHANNELS RATIO DCT FANCY HEIGHT WIDTH OUTCHANNELS SHA256
# and the crop windows of the synthetic images to ../crop_reference.txt:
#   FILE X Y WIDTH HEIGHT HEIGHT WIDTH OUTCHANNELS SHA256
# Run from anywhere: internal/jpegturbo/testdata/ref/make.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -o "$tmp/refdecode" "$here/refdecode.c" -ljpeg
for kind in cmyk gray rgb420 rgb444 progressive; do
	[[ -f "$here/../$kind.jpg" ]] || "$tmp/refdecode" --encode "$kind" "$here/../$kind.jpg"
done
files=("$here"/../*.jpg)
shared="$root/../shared/models/images"
if [[ -d "$shared" ]]; then
	files+=("$shared"/*.jpg "$shared"/*.jpeg)
fi
out="$here/../reference.txt"
{
	echo "# Written by testdata/ref/make.sh with $(dpkg-query -W -f='libjpeg-turbo ${Version}' libjpeg62-turbo 2>/dev/null || echo libjpeg)."
	echo "# FILE CHANNELS RATIO DCT FANCY HEIGHT WIDTH OUTCHANNELS SHA256"
	for f in "${files[@]}"; do
		name="$(basename "$f")"
		for ch in 0 1 3; do
			for ratio in 1 2 4 8; do
				for dct in fast accurate; do
					for fancy in 1 0; do
						if [[ $ch != 0 && $ratio != 1 ]]; then continue; fi
						if [[ $name == cmyk.jpg && $ch == 1 ]]; then continue; fi
						sum="$("$tmp/refdecode" "$f" "$ch" "$ratio" "$dct" "$fancy" 2>"$tmp/dims" | sha256sum | cut -d' ' -f1)"
						echo "$name $ch $ratio $dct $fancy $(cat "$tmp/dims") $sum"
					done
				done
			done
		done
	done
} >"$out"
echo "make.sh: wrote $(grep -vc '^#' "$out") reference decodes to $out" >&2
crops="$here/../crop_reference.txt"
{
	echo "# Written by testdata/ref/make.sh: crop windows decoded with jpeg_crop_scanline, TensorFlow's default settings."
	echo "# FILE X Y WIDTH HEIGHT HEIGHT WIDTH OUTCHANNELS SHA256"
	for kind in cmyk gray rgb420 rgb444 progressive; do
		for win in "0 0 37 23" "0 0 1 1" "3 5 17 9" "16 8 21 15" "36 22 1 1" "1 0 35 23" "9 1 3 20"; do
			# shellcheck disable=SC2086
			sum="$("$tmp/refdecode" "$here/../$kind.jpg" 0 1 fast 1 $win 2>"$tmp/dims" | sha256sum | cut -d' ' -f1)"
			echo "$kind.jpg $win $(cat "$tmp/dims") $sum"
		done
	done
} >"$crops"
echo "make.sh: wrote $(grep -vc '^#' "$crops") reference crops to $crops" >&2
