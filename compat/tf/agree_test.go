package tensorflow

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestSavedModelsAgreeWithBridge loads each shared SavedModel through this
// package and through bridge, feeds every numeric input of its
// serving_default signature a small deterministic tensor, and checks that
// every output is the same, bit for bit.
func TestSavedModelsAgreeWithBridge(t *testing.T) {
	root := testutil.SharedModel(t, "savedmodel")
	for _, rel := range []string{
		"freeze/mlnet_cifar_tf1", "freeze/tfnet_keras_mlp", "freeze/tfnet_keras_lstm", "freeze/vespa_batchnorm_tf1",
		"tfexamples/saved_model_v2_mini", "tfjs_node/int64_multiply", "tfjs_node/model_multi_output",
		"tfjs_node/times_three_float", "tfjs_node/uint8_multiply", "tfrust/keras_multiple_inputs_saved_model",
		"tfserving/matrix_half_plus_two", "tfserving/saved_model_half_plus_three",
		"tfserving/saved_model_half_plus_two_tf2_cpu",
	} {
		t.Run(rel, func(t *testing.T) {
			dir := filepath.Join(root, filepath.FromSlash(rel))
			m, err := LoadSavedModel(dir, []string{"serve"}, nil)
			require.NoError(t, err)
			defer m.Session.Close()
			sig, ok := m.Signatures["serving_default"]
			require.True(t, ok, "signatures: %v", m.Signatures)

			feeds := map[Output]*Tensor{}
			bfeeds := map[string]*tensor.Tensor{}
			for _, key := range sortedKeys(sig.Inputs) {
				ti := sig.Inputs[key]
				x := sample(t, ti)
				feeds[outputByName(t, m.Graph, ti.Name)] = x
				bfeeds[ti.Name] = x.Internal()
			}
			var fetches []Output
			var names []string
			for _, key := range sortedKeys(sig.Outputs) {
				fetches = append(fetches, outputByName(t, m.Graph, sig.Outputs[key].Name))
				names = append(names, sig.Outputs[key].Name)
			}
			got, err := m.Session.Run(feeds, fetches, nil)
			require.NoError(t, err)

			bs, err := bridge.LoadSession(dir)
			require.NoError(t, err)
			defer bs.Close()
			want, err := bs.Run(context.Background(), bfeeds, names)
			require.NoError(t, err)
			for i := range names {
				assert.Equal(t, want[i].Shape(), got[i].Internal().Shape(), names[i])
				assert.Equal(t, want[i].Data(), got[i].Internal().Data(), names[i])
			}
		})
	}
}

// sample is a tensor for ti: unknown dimensions become 2 (an unknown rank
// a vector of 3), values count up.
func sample(t *testing.T, ti TensorInfo) *Tensor {
	dims := []int64{3}
	if ti.Shape.NumDimensions() >= 0 {
		dims, _ = ti.Shape.ToSlice()
	}
	shape := make(tensor.Shape, len(dims))
	n := 1
	for i, d := range dims {
		shape[i] = int(d)
		if d < 0 {
			shape[i] = 2
		}
		n *= shape[i]
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i%7) - 2
	}
	if slices.Contains([]DataType{Uint8, Uint16, Uint32, Uint64}, ti.DType) {
		for i := range vals {
			vals[i] = float64(i % 7)
		}
	}
	x, err := tensor.FromFloat64s(tensor.DType(ti.DType), shape, vals)
	require.NoError(t, err, ti.Name)
	return FromInternal(x)
}
