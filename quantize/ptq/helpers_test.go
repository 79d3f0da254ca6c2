package ptq

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// requireORT skips or fails t when ONNX Runtime cannot be loaded.
func requireORT(t testing.TB) {
	t.Helper()
	if err := engine.Init(); err != nil {
		if testutil.Required() {
			t.Fatalf("ONNX Runtime is not available: %v (failing: CI or TFOFFLOAD_REQUIRE_SHARED=1 is set)", err)
		}
		t.Skipf("ONNX Runtime is not available; run scripts/install-onnxruntime.sh: %v", err)
	}
}

func testModel(t testing.TB, name string) testmodels.Model {
	t.Helper()
	for _, m := range testmodels.Models {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no test model %s", name)
	return testmodels.Model{}
}

// photos returns the model's input for each shared photo.
func photos(t testing.TB, shared string, m testmodels.Model) []*tensor.Tensor {
	t.Helper()
	var out []*tensor.Tensor
	for _, p := range testmodels.Photos {
		img, err := testmodels.LoadImage(filepath.Join(shared, "images", p), m.Image, m.DType)
		require.NoError(t, err)
		out = append(out, img)
	}
	return out
}
