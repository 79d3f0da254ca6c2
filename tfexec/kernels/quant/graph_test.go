package quant_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

// TestQuantizedGraph runs a graph as a quantized export writes it, read
// back from its wire form: qint8 weights in a Const, reshaped as qint8 and
// dequantized (SCALED, per channel), next to a QuantizeV2 → Dequantize
// round trip of a fed float32 input.
func TestQuantizedGraph(t *testing.T) {
	w := quantized[int8](tensor.Qint8, tensor.Shape{4}, -128, -64, 64, 127)
	g := &tfpb.GraphDef{Node: []*tfpb.NodeDef{
		graph.NewNode("w", "Const", nil, map[string]any{"dtype": tensor.Qint8, "value": w}),
		graph.NewNode("shape", "Const", nil, map[string]any{"dtype": tensor.Int32, "value": tensor.MustFromSlice(tensor.Shape{2}, []int32{2, 2})}),
		graph.NewNode("w2", "Reshape", []string{"w", "shape"}, map[string]any{"T": tensor.Qint8, "Tshape": tensor.Int32}),
		graph.NewNode("lo", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": f32(tensor.Shape{2}, -1, -2)}),
		graph.NewNode("hi", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": f32(tensor.Shape{2}, 1, 2)}),
		graph.NewNode("deq", "Dequantize", []string{"w2", "lo", "hi"}, map[string]any{"T": tensor.Qint8, "mode": "SCALED", "axis": 0}),
		graph.NewNode("x", "Placeholder", nil, map[string]any{"dtype": tensor.Float32}),
		graph.NewNode("q", "QuantizeV2", []string{"x", "lo2", "hi2"}, map[string]any{"T": tensor.Quint8}),
		graph.NewNode("lo2", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar[float32](0)}),
		graph.NewNode("hi2", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar[float32](255)}),
		graph.NewNode("back", "Dequantize", []string{"q", "q:1", "q:2"}, map[string]any{"T": tensor.Quint8}),
	}}
	b, err := proto.Marshal(g)
	require.NoError(t, err)
	var read tfpb.GraphDef
	require.NoError(t, proto.Unmarshal(b, &read))

	e, err := tfexec.New(&read)
	require.NoError(t, err)
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"x": f32(tensor.Shape{3}, 0, 7, 300)}, []string{"deq", "q", "back"})
	require.NoError(t, err)
	// SCALED qint8: row 0 scale max(−1/−128, 1/127) = 1/127, row 1 2/127.
	assert.NoError(t, tensor.Compare(out[0], f32(tensor.Shape{2, 2}, -128.0/127, -64.0/127, 128.0/127, 254.0/127), tensor.Tolerance{RTol: 1e-6}))
	assert.Equal(t, tensor.Quint8, out[1].DType())
	assert.Equal(t, []uint8{0, 7, 255}, out[1].Data())
	assert.Equal(t, []float32{0, 7, 255}, tensor.Values[float32](out[2]))
}
