#!/usr/bin/env bash
# Installs the system packages tfoffload's build and tests need, when they
# are missing: gcc (cgo, for the ONNX Runtime binding), npm (to fetch ONNX
# Runtime, the demo model and TensorFlow.js), node (to run TensorFlow.js,
# the tests' second oracle), Debian's libonnx-testdata (the ONNX
# conformance cases the engine tests run) and libjpeg-turbo's headers
# (libjpeg-dev; DecodeJpeg calls libjpeg-turbo through cgo to give
# TensorFlow's pixels). Idempotent: installed packages are left alone and
# apt is not touched when nothing is missing.
#
# Usage: scripts/install-deps.sh [--build]
#   --build  only what building and running tfoffload needs (gcc, npm,
#            libjpeg-dev), not the test tools (node, libonnx-testdata)
set -euo pipefail

build_only=false
case "${1:-}" in
--build) build_only=true ;;
"") ;;
*) echo "install-deps: unknown argument $1 (usage: install-deps.sh [--build])" >&2; exit 2 ;;
esac

log() { echo "install-deps: $*" >&2; }

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ! $build_only; then
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	if command -v dpkg-query >/dev/null 2>&1; then
		dpkg-query -W -f='${Status}' libonnx-testdata 2>/dev/null | grep -q "install ok installed" || missing+=(libonnx-testdata)
	elif [[ ! -d /usr/share/libonnx-testdata ]]; then
		missing+=(libonnx-testdata)
	fi
fi
# libjpeg-dev is Debian's libjpeg62-turbo-dev and Ubuntu's
# libjpeg-turbo8-dev.
if ! compgen -G "/usr/include/jpeglib.h" >/dev/null && ! compgen -G "/usr/include/*/jpeglib.h" >/dev/null; then
	missing+=(libjpeg-dev)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	log "missing ${missing[*]} and apt-get is not available: install them with your package manager"
	exit 1
fi
sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
	command -v sudo >/dev/null 2>&1 || { log "missing ${missing[*]}: run as root or install sudo"; exit 1; }
	sudo=(sudo)
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
