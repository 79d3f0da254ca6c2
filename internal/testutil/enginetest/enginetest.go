// Package enginetest holds the one rule for tests that need ONNX Runtime:
// skip when it cannot be loaded, or fail where testutil.Required says the
// run must not skip. (Package engine's own tests apply the same rule with
// testutil.RequireOrSkip, since they cannot import this package.)
package enginetest

import (
	"testing"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// Require skips or fails t unless ONNX Runtime loads.
func Require(t testing.TB) {
	t.Helper()
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
}
