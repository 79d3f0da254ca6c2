package bridge

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestFailingFallbackIsNotWarned checks that a cluster whose original
// nodes fail as well (here a Reshape to a size the input does not have,
// which shape inference for the compile hits first) reports the error
// once: no "falls back" warning carrying the same error before it.
func TestFailingFallbackIsNotWarned(t *testing.T) {
	enginetest.Require(t)
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("x", f32, graph.ShapeAttr{-1})
	b.Const("shape", tensor.MustFromSlice(tensor.Shape{2}, []int32{2, 3}))
	b.Add("r", "Reshape", []string{"x", "shape"}, map[string]any{"T": f32, "Tshape": tensor.Int32})
	b.Add("y", "Relu", []string{"r"}, map[string]any{"T": f32})
	m := &graph.Model{Path: "reshape", Graph: b.Graph()}
	var logs bytes.Buffer
	s, err := NewSession(m, WithOffload(true), WithMinNontrivialNodes(1), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Plan().Clusters, 1)

	five := map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{5}, []float32{1, 2, 3, 4, 5})}
	_, err = s.Run(context.Background(), five, []string{"y"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Input to reshape is a tensor with 5 values, but the requested shape has 6")
	assert.Empty(t, logs.String(), "the error is reported once, by Run")

	six := map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{6}, []float32{-1, 2, -3, 4, -5, 6})}
	got, err := s.Run(context.Background(), six, []string{"y"})
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 2, 0, 4, 0, 6}, tensor.Values[float32](got[0]))
}
