#!/usr/bin/env bash
# Regenerates the Go code for the project's own protobuf schemas:
#   internal/tfpb/*.proto   -> internal/tfpb/*.pb.go   (TensorFlow messages)
#   internal/onnxpb/*.proto -> internal/onnxpb/*.pb.go (ONNX messages)
#   internal/servingpb/*.proto -> internal/servingpb/*.pb.go (TF Serving API)
#
# Normally run through `go generate ./internal/tfpb ./internal/onnxpb`, but it
# works from any directory. Output is reproducible byte for byte given the
# same protoc release (its version is written into each file header) and the
# protoc-gen-go pinned by go.mod's `tool` directive.
#
# Usage: scripts/gen-proto.sh [tfpb|onnxpb ...]   (default: both)
set -euo pipefail

# The protoc release the committed .pb.go files were generated with.
want_protoc="3.21.12"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$script_dir/.." && pwd)"
cd "$root"

if ! command -v protoc >/dev/null 2>&1; then
	echo "gen-proto: protoc not found on PATH." >&2
	echo "gen-proto: install it (Debian/Ubuntu): sudo apt-get install -y protobuf-compiler" >&2
	exit 1
fi

have_protoc="$(protoc --version | awk '{print $2}')"
if [[ "$have_protoc" != "$want_protoc" ]]; then
	echo "gen-proto: warning: protoc $have_protoc found, files were generated with $want_protoc;" >&2
	echo "gen-proto: warning: the '// protoc v...' header line of every .pb.go will change." >&2
fi

# Well-known types (google/protobuf/any.proto, wrappers.proto) ship with
# protoc; find their directory so -I works whatever the install prefix.
wkt_include=""
for dir in "$(dirname "$(command -v protoc)")/../include" /usr/include /usr/local/include; do
	if [[ -f "$dir/google/protobuf/any.proto" ]]; then
		wkt_include="$(cd "$dir" && pwd)"
		break
	fi
done
if [[ -z "$wkt_include" ]]; then
	echo "gen-proto: google/protobuf/any.proto not found next to protoc." >&2
	echo "gen-proto: install it (Debian/Ubuntu): sudo apt-get install -y libprotobuf-dev protobuf-compiler" >&2
	exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Build the protoc-gen-go version pinned in go.mod (tool directive).
go build -o "$tmp/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go

pkgs=("$@")
if [[ ${#pkgs[@]} -eq 0 ]]; then
	pkgs=(tfpb onnxpb servingpb)
fi

for pkg in "${pkgs[@]}"; do
	dir="internal/$pkg"
	if [[ ! -d "$dir" ]]; then
		echo "gen-proto: no such package directory: $dir" >&2
		exit 1
	fi
	# Sorted list so the protoc invocation (and output) is deterministic.
	mapfile -t protos < <(find "$dir" -maxdepth 1 -name '*.proto' | LC_ALL=C sort)
	if [[ ${#protos[@]} -eq 0 ]]; then
		echo "gen-proto: no .proto files in $dir" >&2
		exit 1
	fi
	# Proto paths are repo-relative ("internal/tfpb/tensor.proto") so the
	# registered file names cannot collide with other copies of these schemas.
	# Generate into a scratch tree first: a failing protoc leaves the
	# committed files alone.
	out="$tmp/out"
	rm -rf "$out"
	mkdir -p "$out"
	protoc \
		--plugin=protoc-gen-go="$tmp/protoc-gen-go" \
		-I . \
		-I "$wkt_include" \
		--go_out="$out" \
		--go_opt=paths=source_relative \
		"${protos[@]}"
	rm -f "$dir"/*.pb.go
	cp "$out/$dir"/*.pb.go "$dir"/
	echo "gen-proto: generated $dir (${#protos[@]} proto files)"
done
