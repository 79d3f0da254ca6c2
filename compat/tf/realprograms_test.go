package tensorflow

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// The calls of real programs written against the bindings, as their
// authors wrote them (modelled on public repositories; only paths and
// operation names changed to the shared models).

// TestProgramLoadSavedModelZeroInput follows a Keras image classifier
// server (serinth/chestrays-ml-classification, main.go): LoadSavedModel,
// a zero tensor from a Go array literal, Run by operation names, Value.
func TestProgramLoadSavedModelZeroInput(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/freeze/tfnet_keras_mlp")
	model, err := LoadSavedModel(dir, []string{"serve"}, nil)
	require.NoError(t, err)
	defer model.Session.Close()

	var in, out string
	for _, ti := range model.Signatures["serving_default"].Inputs {
		in = ti.Name[:len(ti.Name)-2]
	}
	for _, ti := range model.Signatures["serving_default"].Outputs {
		out = ti.Name[:len(ti.Name)-2]
	}
	tensor, _ := NewTensor([1][28][28][1]float32{})
	result, err := model.Session.Run(
		map[Output]*Tensor{
			model.Graph.Operation(in).Output(0): tensor,
		},
		[]Output{
			model.Graph.Operation(out).Output(0),
		},
		nil,
	)
	require.NoError(t, err)
	probs := result[0].Value().([][]float32)
	require.Len(t, probs, 1)
	require.Len(t, probs[0], 10)
	sum := float32(0)
	for _, p := range probs[0] {
		sum += p
	}
	assert.InDelta(t, 1, sum, 1e-5, "the model ends in a softmax")
}

// TestProgramImportFrozenGraph follows the talks and demos that read a
// frozen .pb (MarinX/talks go-meetup-tenserflow, kingreatwill/genter):
// ReadFile, NewGraph, Import with no prefix, NewSession, Run by
// graph.Operation names.
func TestProgramImportFrozenGraph(t *testing.T) {
	model, err := os.ReadFile(testutil.SharedModel(t, "frozen/tiny/multiplication.pb"))
	require.NoError(t, err)
	graph := NewGraph()
	require.NoError(t, graph.Import(model, ""))
	session, err := NewSession(graph, nil)
	require.NoError(t, err)
	defer session.Close()

	var inputs []*Operation
	var mul *Operation
	for _, op := range graph.Operations() {
		switch op.Type() {
		case "Placeholder":
			inputs = append(inputs, graph.Operation(op.Name()))
		case "Mul":
			mul = graph.Operation(op.Name())
		}
	}
	require.Len(t, inputs, 2)
	require.NotNil(t, mul)
	feeds := map[Output]*Tensor{}
	for i, in := range inputs {
		require.Equal(t, Float, in.Output(0).DataType())
		v, err := NewTensor(float32(3 + i))
		require.NoError(t, err)
		feeds[in.Output(0)] = v
	}
	output, err := session.Run(feeds, []Output{mul.Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, float32(12), output[0].Value())
}

// TestProgramEmptyInnerSlices: a program that declares its input as
// tf.NewTensor([1][][][3]float32{}) gets the shape the bindings compute,
// following the first element at each depth: [1 0 0 0].
func TestProgramEmptyInnerSlices(t *testing.T) {
	x, err := NewTensor([1][][][3]float32{})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 0, 0, 0}, x.Shape())
}
