#!/usr/bin/env bash
# Regenerates tensor_shape.pb.go (see tensorflow/core/framework/tensor_shape.proto)
# with protoc and the protoc-gen-go pinned in go.mod. The proto is compiled
# under TensorFlow's own path, tensorflow/core/framework/tensor_shape.proto,
# so it registers exactly what TensorFlow's generated Go code registers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go)
protoc --plugin=protoc-gen-go="$tmp/protoc-gen-go" -I "$here" --go_out="$tmp" --go_opt=paths=source_relative \
	tensorflow/core/framework/tensor_shape.proto
cp "$tmp/tensorflow/core/framework/tensor_shape.pb.go" "$here/tensor_shape.pb.go"
