package tensorflow

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestLoadSavedModelKeras(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/tfrust/keras_single_input_saved_model")
	m, err := LoadSavedModel(dir, []string{"serve"}, nil)
	require.NoError(t, err)
	defer m.Session.Close()

	sig, ok := m.Signatures["serving_default"]
	require.True(t, ok)
	assert.Equal(t, "tensorflow/serving/predict", sig.MethodName)
	in, out := sig.Inputs["test_in_input"], sig.Outputs["test_out"]
	assert.Equal(t, "serving_default_test_in_input:0", in.Name)
	assert.Equal(t, "StatefulPartitionedCall:0", out.Name)
	assert.Equal(t, Float, in.DType)
	assert.Equal(t, "[?, 5]", in.Shape.String())
	assert.Contains(t, m.Signatures, "__saved_model_init_op")

	// After loading, running the init op is harmless.
	_, err = m.Session.Run(nil, nil, []*Operation{m.Graph.Operation("NoOp")})
	require.NoError(t, err)

	x, err := NewTensor([][]float32{{1, 2, 3, 4, 5}, {-1, 0, 1, 0.5, 2}})
	require.NoError(t, err)
	feeds := map[Output]*Tensor{m.Graph.Operation("serving_default_test_in_input").Output(0): x}
	res, err := m.Session.Run(feeds, []Output{m.Graph.Operation("StatefulPartitionedCall").Output(0)}, nil)
	require.NoError(t, err)

	// The same model through bridge directly.
	bs, err := bridge.LoadSession(dir)
	require.NoError(t, err)
	defer bs.Close()
	want, err := bs.Run(context.Background(), map[string]*tensor.Tensor{in.Name: x.Internal()}, []string{out.Name})
	require.NoError(t, err)
	assert.Equal(t, want[0].Data(), res[0].Internal().Data(), "compat and bridge agree exactly")

	// Append a Sigmoid to the loaded graph and fetch it: the session
	// prepares the grown graph.
	sg, err := m.Graph.AddOperation(OpSpec{Type: "Sigmoid", Name: "prob", Input: []Input{m.Graph.Operation("StatefulPartitionedCall").Output(0)}})
	require.NoError(t, err)
	res2, err := m.Session.Run(feeds, []Output{sg.Output(0), m.Graph.Operation("StatefulPartitionedCall").Output(0)}, nil)
	require.NoError(t, err)
	logits := res2[1].Value().([][]float32)
	probs := res2[0].Value().([][]float32)
	for i := range logits {
		assert.InDelta(t, 1/(1+math.Exp(-float64(logits[i][0]))), probs[i][0], 1e-6)
	}
}

func TestLoadSavedModelTF1Variables(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu")
	m, err := LoadSavedModel(dir, []string{"serve"}, nil)
	require.NoError(t, err)
	defer m.Session.Close()
	sig := m.Signatures["serving_default"]
	var inName, outName string
	for _, v := range sig.Inputs {
		inName = v.Name
	}
	for _, v := range sig.Outputs {
		outName = v.Name
	}
	x, err := NewTensor([]float32{0, 1, 4})
	require.NoError(t, err)
	res, err := m.Session.Run(map[Output]*Tensor{outputByName(t, m.Graph, inName): x}, []Output{outputByName(t, m.Graph, outName)}, nil)
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 2.5, 4}, res[0].Value(), "variables hold their checkpoint values: y = 0.5x + 2")
}

func TestLoadSavedModelErrors(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/tfrust/keras_single_input_saved_model")
	_, err := LoadSavedModel(dir, []string{"train"}, nil)
	assert.Error(t, err, "no MetaGraphDef has the tags")
	_, err = LoadSavedModel(filepath.Join(t.TempDir(), "missing"), []string{"serve"}, nil)
	assert.Error(t, err)
	f := filepath.Join(t.TempDir(), "g.pb")
	require.NoError(t, os.WriteFile(f, nil, 0o600))
	_, err = LoadSavedModel(f, []string{"serve"}, nil)
	assert.Error(t, err)
}

// outputByName resolves "op:i".
func outputByName(t *testing.T, g *Graph, name string) Output {
	t.Helper()
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == ':' {
			op := g.Operation(name[:i])
			require.NotNil(t, op, name)
			idx := 0
			for _, c := range name[i+1:] {
				idx = idx*10 + int(c-'0')
			}
			return op.Output(idx)
		}
	}
	op := g.Operation(name)
	require.NotNil(t, op, name)
	return op.Output(0)
}
