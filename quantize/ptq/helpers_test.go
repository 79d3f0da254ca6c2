package ptq

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/tensor"
)

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

// fetchOf returns the output the test model names, or m's first.
func fetchOf(tm testmodels.Model, m *graph.Model) string {
	if tm.Output != "" {
		return tm.Output
	}
	return m.Outputs()[0].Name
}
