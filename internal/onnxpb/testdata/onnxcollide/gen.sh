#!/usr/bin/env bash
# Regenerates onnx.pb.go (see onnx/onnx.proto) with protoc and the
# protoc-gen-go pinned in go.mod. The proto is compiled under ONNX's own
# path, onnx/onnx.proto, so it registers what other Go copies of ONNX's
# schema register.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go)
protoc --plugin=protoc-gen-go="$tmp/protoc-gen-go" -I "$here" --go_out="$tmp" --go_opt=paths=source_relative \
	onnx/onnx.proto
cp "$tmp/onnx/onnx.pb.go" "$here/onnx.pb.go"
