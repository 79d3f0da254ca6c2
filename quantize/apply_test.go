package quantize

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestLayersAndCalibrationTensors(t *testing.T) {
	m := convNet(t, 1)
	assert.Equal(t, []string{"conv1", "conv2", "add", "pool", "matmul"}, Layers(m))
	// conv1's output is quantized after its Relu; x is a graph input.
	assert.Equal(t, []string{"x", "r1", "c2", "a", "p", "f", "y"}, CalibrationTensors(m))
}

func TestInt8MatchesFloat(t *testing.T) {
	enginetest.Require(t)
	m := convNet(t, 1)
	for _, method := range Methods() {
		t.Run(string(method), func(t *testing.T) {
			plan := calibrated(t, m, method, 16)
			q := proto.Clone(m).(*onnxpb.ModelProto)
			names, err := plan.Apply(0, q)
			require.NoError(t, err)
			assert.Equal(t, Layers(m), names)
			ops := opCounts(q)
			assert.Equal(t, 7, ops["QuantizeLinear"], "one per quantized activation")
			assert.Equal(t, 7+3+1, ops["DequantizeLinear"], "activations, 3 weights, 1 bias")
			for _, init := range q.GetGraph().GetInitializer() {
				assert.NotContains(t, []string{"w1", "w2", "w3", "b1"}, init.GetName(), "the float weights are gone")
			}
			for i := range 8 {
				x := convInput(uint64(500 + i)) // not calibrated on
				want := tensor.Values[float32](run(t, m, x)[0])
				got := tensor.Values[float32](run(t, q, x)[0])
				scale := float32(0)
				for _, v := range want {
					scale = max(scale, abs32(v))
				}
				assert.Less(t, maxAbsDiff(want, got), 0.06*scale, "input %d: %v vs %v", i, got, want)
			}
		})
	}
}

func TestInt8IsDeterministic(t *testing.T) {
	enginetest.Require(t)
	m := convNet(t, 2)
	var first []byte
	for i := range 2 {
		plan := calibrated(t, m, Entropy, 8)
		planBytes, err := plan.Marshal()
		require.NoError(t, err)
		q := proto.Clone(m).(*onnxpb.ModelProto)
		_, err = plan.Apply(0, q)
		require.NoError(t, err)
		data, err := proto.MarshalOptions{Deterministic: true}.Marshal(q)
		require.NoError(t, err)
		data = append(planBytes, data...)
		if i == 0 {
			first = data
		} else {
			assert.Equal(t, first, data, "same calibration, same bytes")
		}
	}
}

func TestInt8Revert(t *testing.T) {
	m := convNet(t, 3)
	plan := uniformPlan(m, -1, 1)
	plan.Reverted = []string{"conv2", "matmul"}
	q := proto.Clone(m).(*onnxpb.ModelProto)
	names, err := plan.Apply(0, q)
	require.NoError(t, err)
	// add reads conv2's output, float now, so it and the pool after it
	// stay float too.
	assert.Equal(t, []string{"conv1"}, names)
	for _, n := range q.GetGraph().GetNode() {
		if n.GetName() == "matmul" {
			assert.Equal(t, "w3", n.GetInput()[1], "a reverted layer keeps its float weight")
		}
	}
	// Another cluster's ID has no ranges: nothing is quantized.
	q = proto.Clone(m).(*onnxpb.ModelProto)
	names, err = plan.Apply(7, q)
	require.NoError(t, err)
	assert.Empty(t, names)
	assert.True(t, proto.Equal(m, q))
}

func TestDynamicAndFP16(t *testing.T) {
	enginetest.Require(t)
	m := convNet(t, 4)
	x := convInput(9)
	want := tensor.Values[float32](run(t, m, x)[0])
	t.Run("int8-dynamic", func(t *testing.T) {
		q := proto.Clone(m).(*onnxpb.ModelProto)
		names, err := (&Plan{Format: Format, Mode: Int8Dynamic}).Apply(0, q)
		require.NoError(t, err)
		assert.Equal(t, []string{"matmul"}, names)
		ops := opCounts(q)
		assert.Equal(t, 1, ops["MatMulInteger"])
		assert.Equal(t, 1, ops["DynamicQuantizeLinear"])
		assert.Zero(t, ops["MatMul"])
		got := tensor.Values[float32](run(t, q, x)[0])
		assert.Less(t, maxAbsDiff(want, got), float32(0.03))
	})
	t.Run("fp16", func(t *testing.T) {
		q := proto.Clone(m).(*onnxpb.ModelProto)
		names, err := (&Plan{Format: Format, Mode: FP16}).Apply(0, q)
		require.NoError(t, err)
		assert.Equal(t, []string{"w1", "w2", "w3"}, names, "b1 is too small to convert")
		for _, init := range q.GetGraph().GetInitializer() {
			if init.GetName() != "b1" {
				assert.Equal(t, int32(onnxpb.TensorProto_FLOAT16), init.GetDataType(), init.GetName())
			}
		}
		assert.Less(t, proto.Size(q), proto.Size(m))
		got := tensor.Values[float32](run(t, q, x)[0])
		assert.Less(t, maxAbsDiff(want, got), float32(0.01))
	})
}

// TestLayerRules covers the op forms convNet lacks: a Conv whose output
// only a Clip (Relu6) reads is quantized after the Clip, a Gemm with a
// transposed weight is quantized per row, an Add of a constant or of a
// float input and a Gemm with alpha ≠ 1 are no layers, and an Add of a
// layer's output carried through Transposes is one.
func TestLayerRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	g := &onnxpb.GraphProto{
		Input:  []*onnxpb.ValueInfoProto{floatInfo("x"), floatInfo("v")},
		Output: []*onnxpb.ValueInfoProto{floatInfo("y"), floatInfo("z"), floatInfo("s"), floatInfo("s2")},
		Initializer: []*onnxpb.TensorProto{
			initializer(t, "w", tensor.Shape{2, 3, 1, 1}, randomFloats(rng, 6, 1)),
			initializer(t, "lo", tensor.Shape{}, []float32{0}),
			initializer(t, "hi", tensor.Shape{}, []float32{6}),
			initializer(t, "g", tensor.Shape{4, 2}, randomFloats(rng, 8, 1)), // [N,K], transB
			initializer(t, "gb", tensor.Shape{4}, randomFloats(rng, 4, 1)),
			initializer(t, "c", tensor.Shape{4}, randomFloats(rng, 4, 1)),
		},
		Node: []*onnxpb.NodeProto{
			node("Conv", "conv", []string{"x", "w"}, []string{"c1"}),
			node("Clip", "relu6", []string{"c1", "lo", "hi"}, []string{"r"}),
			node("GlobalAveragePool", "pool", []string{"r"}, []string{"p"}),
			node("Flatten", "flat", []string{"p"}, []string{"f"}),
			node("Gemm", "gemm", []string{"f", "g", "gb"}, []string{"y"}, intAttr("transB", 1)),
			node("Add", "addconst", []string{"v", "c"}, []string{"a"}),
			node("Add", "addfloat", []string{"r", "v"}, []string{"s"}),
			node("Transpose", "transpose", []string{"r"}, []string{"rt"}),
			node("Transpose", "back", []string{"rt"}, []string{"rb"}),
			node("Add", "addcarried", []string{"rb", "r"}, []string{"s2"}),
			node("Gemm", "scaled", []string{"a", "g", "gb"}, []string{"z"}, intAttr("transB", 1),
				&onnxpb.AttributeProto{Name: proto.String("alpha"), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(2)}),
		},
	}
	m := &onnxpb.ModelProto{Graph: g}
	// addfloat reads the float input v; addcarried reads conv's output
	// through two Transposes, which keep it integer.
	assert.Equal(t, []string{"conv", "pool", "gemm", "addcarried"}, Layers(m))
	assert.Equal(t, []string{"x", "r", "p", "f", "y", "rb", "s2"}, CalibrationTensors(m), "conv's output is quantized after its Clip")

	plan := uniformPlan(m, -1, 6)
	q := proto.Clone(m).(*onnxpb.ModelProto)
	_, err := plan.Apply(0, q)
	require.NoError(t, err)
	seen := 0
	for _, n := range q.GetGraph().GetNode() {
		switch n.GetName() {
		case "relu6":
			seen++
			assert.Equal(t, "c1", n.GetInput()[0], "nothing between Conv and its Clip")
		case "gemm/weight/DequantizeLinear":
			seen++
			assert.Equal(t, int64(0), attrInt(n, "axis", -1), "a transposed Gemm weight has its channels on axis 0")
		}
	}
	assert.Equal(t, 2, seen)
}
