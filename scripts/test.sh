#!/usr/bin/env bash
# The README's test command: installs what the tests need (system packages,
# ONNX Runtime, TensorFlow.js as the second oracle), then vets and tests
# everything, with the race detector on the concurrent packages, then the
# nested Apache Beam modules (beam/, examples/beam). Tests that need ONNX Runtime or ../shared/models
# skip when those are missing, unless CI is set: then they fail.
#
# The full verbose log goes to ${TEST_LOG:-/tmp/tfoffload-test.log}; the
# console shows each package's result and the suites' summary lines
# (op corpus, TensorFlow.js agreement table, ONNX conformance).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || { echo "test: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
scripts/install-deps.sh
scripts/install-onnxruntime.sh >/dev/null
scripts/install-tfjs.sh >/dev/null
scripts/install-mnist.sh >/dev/null
scripts/install-photos.sh >/dev/null

log="${TEST_LOG:-${TMPDIR:-/tmp}/tfoffload-test.log}"
summary='^(ok|FAIL|---|panic:|tfops|tfjs-oracle|onnx-conformance|lenet|\s+--- FAIL)'

echo "== go vet"
go vet ./...

echo "== go test (log: $log)"
status=0
go test -count=1 -v ./... >"$log" 2>&1 || status=$?
grep -E "$summary" "$log" | grep -v -- '--- PASS' | grep -v -- '--- SKIP' || true
if [[ $status -ne 0 ]]; then
	echo "go test failed; failing tests:" >&2
	grep -E -B2 -A20 -- '--- FAIL' "$log" | head -200 >&2 || true
	exit $status
fi

echo "== go test -race (concurrent packages)"
go test -count=1 -race -short ./tfexec ./engine ./bridge ./offload ./partition ./clusters ./checkpoint ./tensor ./graph ./serve ./compat/tf ./quantize

# The Apache Beam modules are nested (beam/, examples/beam), so that Beam's
# dependencies stay out of tfoffload's own go.mod; ./... above skips them.
for mod in beam examples/beam; do
	echo "== $mod (nested module): go vet, go test (log: $log)"
	(cd "$mod" && go vet ./...)
	status=0
	(cd "$mod" && go test -count=1 -v ./...) >>"$log.$$" 2>&1 || status=$?
	cat "$log.$$" >>"$log"
	grep -E "$summary" "$log.$$" | grep -v -- '--- PASS' | grep -v -- '--- SKIP' || true
	if [[ $status -ne 0 ]]; then
		echo "go test in $mod failed; failing tests:" >&2
		grep -E -B2 -A20 -- '--- FAIL' "$log.$$" | head -200 >&2 || true
		rm -f "$log.$$"
		exit $status
	fi
	rm -f "$log.$$"
done
