package quantize

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

// normNet is an image model as TensorFlow exports it: x [1,8,8,3] (NHWC)
// → Sub(x, [1,1,1,3] of 0.25) → Mul([1,1,1,3] of scale) → Sub(1) →
// Transpose to NCHW → Conv(4, 3×3) → Relu → y. With tweak, a test
// changes the graph before it is indexed.
func normNet(t testing.TB, scale []float32, tweak func(g *onnxpb.GraphProto)) *onnxpb.ModelProto {
	t.Helper()
	rng := rand.New(rand.NewPCG(8, 8))
	g := &onnxpb.GraphProto{
		Name:   proto.String("normnet"),
		Input:  []*onnxpb.ValueInfoProto{floatInfo("x")},
		Output: []*onnxpb.ValueInfoProto{floatInfo("y")},
		Initializer: []*onnxpb.TensorProto{
			initializer(t, "mean", tensor.Shape{1, 1, 1, 3}, []float32{0.25, 0.25, 0.25}),
			initializer(t, "scale", tensor.Shape{1, 1, 1, 3}, scale),
			initializer(t, "one", tensor.Shape{}, []float32{1}),
			initializer(t, "w", tensor.Shape{4, 3, 3, 3}, randomFloats(rng, 108, 0.5)),
		},
		Node: []*onnxpb.NodeProto{
			node("Sub", "center", []string{"x", "mean"}, []string{"s1"}),
			node("Mul", "rescale", []string{"s1", "scale"}, []string{"s2"}),
			node("Sub", "shift", []string{"s2", "one"}, []string{"s3"}),
			node("Transpose", "nchw", []string{"s3"}, []string{"xt"}, &onnxpb.AttributeProto{Name: proto.String("perm"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{0, 3, 1, 2}}),
			node("Conv", "conv", []string{"xt", "w"}, []string{"c"}, &onnxpb.AttributeProto{Name: proto.String("pads"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{1, 1, 1, 1}}),
			node("Relu", "relu", []string{"c"}, []string{"r"}),
			node("Sigmoid", "sigmoid", []string{"r"}, []string{"y"}),
		},
	}
	if tweak != nil {
		tweak(g)
	}
	return &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(18)}}}
}

func imageInputs(seed uint64, n int) []*tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 3))
	var out []*tensor.Tensor
	for range n {
		out = append(out, tensor.MustFromSlice(tensor.Shape{1, 8, 8, 3}, randomFloats(rng, 192, 1)))
	}
	return out
}

// TestInt8FoldsNormalization checks that the normalization before the
// first convolution folds into the quantization of x: the quantized
// model has no Sub or Mul left, neither has ONNX Runtime's optimized
// one, and the result still matches float32.
func TestInt8FoldsNormalization(t *testing.T) {
	enginetest.Require(t)
	m := normNet(t, []float32{2, 2, 2}, nil)
	plan := calibratedOn(t, m, MinMax, imageInputs(1, 16))
	q := proto.Clone(m).(*onnxpb.ModelProto)
	names, err := plan.Apply(0, q)
	require.NoError(t, err)
	assert.Equal(t, []string{"conv"}, names)
	ops := opCounts(q)
	assert.Zero(t, ops["Sub"])
	assert.Zero(t, ops["Mul"])
	assert.Equal(t, 1, ops["Expand"], "the [1,1,1,3] constants broadcast x")
	seen := false
	for _, n := range q.GetGraph().GetNode() {
		if n.GetOpType() == "QuantizeLinear" && n.GetInput()[1] == "xt/source_scale" {
			seen = true
			assert.Equal(t, "x", n.GetInput()[0], "x is quantized directly")
		}
	}
	assert.True(t, seen)
	// x·2 − 1.5 with b = −1.5 a whole number of steps: x's zero point is
	// xt's shifted by those steps.
	f, ok := foldOf(newIndex(m.GetGraph()), "xt", plan.Clusters[0].ranges()["xt"])
	require.True(t, ok)
	assert.InDelta(t, 2, f.a, 1e-9)
	assert.InDelta(t, -1.5, f.b, 1e-9)
	steps := 1.5 / float64(f.scale)
	assert.InDelta(t, steps, float64(int(steps+0.5)), 1e-3)
	assert.Equal(t, int(f.zp)-int(steps+0.5), int(f.srcZP))

	data, err := proto.Marshal(q)
	require.NoError(t, err)
	optimized := filepath.Join(t.TempDir(), "optimized.onnx")
	s, err := engine.NewSession(data, engine.SessionOptions{OptimizedModelPath: optimized})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	raw, err := os.ReadFile(optimized)
	require.NoError(t, err)
	var om onnxpb.ModelProto
	require.NoError(t, proto.Unmarshal(raw, &om))
	ops = opCounts(&om)
	assert.Equal(t, 1, ops["QLinearConv"])
	assert.Zero(t, ops["Sub"]+ops["Mul"], "no float normalization left: %v", ops)

	for i, x := range imageInputs(2, 4) { // not calibrated on
		want := tensor.Values[float32](run(t, m, x)[0])
		got := tensor.Values[float32](run(t, q, x)[0])
		assert.Less(t, maxAbsDiff(want, got), float32(0.02), "input %d", i)
	}
}

// TestInt8FoldStops covers the chains that fold only in part: constants
// with different values, a value something else reads too, and a
// negative scale (uint8 steps cannot run backwards) all stop the fold at
// the last Sub, whose scalar needs no Expand.
func TestInt8FoldStops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scale []float32
		tweak func(g *onnxpb.GraphProto)
	}{
		{"per-channel", []float32{1, 2, 3}, nil},
		{"read twice", []float32{2, 2, 2}, func(g *onnxpb.GraphProto) { g.Output = append(g.Output, floatInfo("s2")) }},
		{"negative", []float32{-2, -2, -2}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := normNet(t, tc.scale, tc.tweak)
			plan := uniformPlan(m, -4, 4)
			q := proto.Clone(m).(*onnxpb.ModelProto)
			names, err := plan.Apply(0, q)
			require.NoError(t, err)
			assert.Equal(t, []string{"conv"}, names)
			ops := opCounts(q)
			assert.Equal(t, 1, ops["Sub"], "center stays, shift folds")
			assert.Equal(t, 1, ops["Mul"])
			assert.Zero(t, ops["Expand"])
			seen := false
			for _, n := range q.GetGraph().GetNode() {
				if n.GetOpType() == "QuantizeLinear" && n.GetInput()[1] == "xt/source_scale" {
					seen = true
					assert.Equal(t, "s2", n.GetInput()[0])
				}
			}
			assert.True(t, seen, "xt is quantized from s2")
		})
	}
}

// TestCyclesEnd checks that the walks back through carriers and
// normalization chains end on a graph with cycles (which no valid ONNX
// model has, but a corrupt one can): Layers and Apply return.
func TestCyclesEnd(t *testing.T) {
	m := normNet(t, []float32{2, 2, 2}, func(g *onnxpb.GraphProto) {
		g.Node = append(g.Node,
			node("Transpose", "loop", []string{"l"}, []string{"l"}),
			node("Add", "addloop", []string{"l", "r"}, []string{"z"}),
			node("Mul", "mulloop", []string{"k", "scale"}, []string{"k"}),
			node("Conv", "convloop", []string{"k", "w"}, []string{"z2"}))
		g.Output = append(g.Output, floatInfo("z"), floatInfo("z2"))
	})
	done := make(chan []string)
	go func() {
		plan := uniformPlan(m, -4, 4)
		q := proto.Clone(m).(*onnxpb.ModelProto)
		names, err := plan.Apply(0, q)
		assert.NoError(t, err)
		done <- names
	}()
	select {
	case names := <-done:
		assert.Contains(t, names, "conv")
	case <-time.After(10 * time.Second):
		t.Fatal("Apply goes round the cycle")
	}
}
