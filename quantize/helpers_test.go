package quantize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
)

func floatInfo(name string) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
		TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT))}}}}
}

func initializer(t testing.TB, name string, shape tensor.Shape, vals []float32) *onnxpb.TensorProto {
	t.Helper()
	p, err := tensor.ToONNXProto(tensor.MustFromSlice(shape, vals), name)
	require.NoError(t, err)
	return p
}

func randomFloats(rng *rand.Rand, n int, scale float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = (rng.Float32()*2 - 1) * scale
	}
	return out
}

// convNet is x [1,3,8,8] → Conv(4 filters, 3×3, bias) → Relu → Conv(4, 1×1)
// → Add(first conv's Relu) → GlobalAveragePool → Flatten → MatMul [4,5]
// → y [1,5], with weights from seed.
func convNet(t testing.TB, seed uint64) *onnxpb.ModelProto {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	g := &onnxpb.GraphProto{
		Name:   proto.String("convnet"),
		Input:  []*onnxpb.ValueInfoProto{floatInfo("x")},
		Output: []*onnxpb.ValueInfoProto{floatInfo("y")},
		Initializer: []*onnxpb.TensorProto{
			initializer(t, "w1", tensor.Shape{4, 3, 3, 3}, randomFloats(rng, 108, 0.5)),
			initializer(t, "b1", tensor.Shape{4}, randomFloats(rng, 4, 0.1)),
			initializer(t, "w2", tensor.Shape{4, 4, 1, 1}, randomFloats(rng, 16, 0.5)),
			initializer(t, "w3", tensor.Shape{4, 5}, randomFloats(rng, 20, 1)),
		},
		Node: []*onnxpb.NodeProto{
			node("Conv", "conv1", []string{"x", "w1", "b1"}, []string{"c1"}, intsAttr("pads", 1, 1, 1, 1)),
			node("Relu", "relu1", []string{"c1"}, []string{"r1"}),
			node("Conv", "conv2", []string{"r1", "w2"}, []string{"c2"}),
			node("Add", "add", []string{"c2", "r1"}, []string{"a"}),
			node("GlobalAveragePool", "pool", []string{"a"}, []string{"p"}),
			node("Flatten", "flatten", []string{"p"}, []string{"f"}),
			node("MatMul", "matmul", []string{"f", "w3"}, []string{"y"}),
		},
	}
	return &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(18)}}}
}

func convInput(seed uint64) *tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 2))
	return tensor.MustFromSlice(tensor.Shape{1, 3, 8, 8}, randomFloats(rng, 192, 1))
}

// run runs an ONNX model on ONNX Runtime and returns every output.
func run(t testing.TB, m *onnxpb.ModelProto, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	data, err := proto.Marshal(m)
	require.NoError(t, err)
	s, err := engine.NewSession(data, engine.SessionOptions{})
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(t.Context(), in)
	require.NoError(t, err)
	return out
}

// calibrated calibrates m on n random inputs with method.
func calibrated(t testing.TB, m *onnxpb.ModelProto, method Method, n int) *Plan {
	t.Helper()
	var inputs []*tensor.Tensor
	for i := range n {
		inputs = append(inputs, convInput(uint64(100+i)))
	}
	return calibratedOn(t, m, method, inputs)
}

// calibratedOn calibrates m on inputs with method.
func calibratedOn(t testing.TB, m *onnxpb.ModelProto, method Method, inputs []*tensor.Tensor) *Plan {
	t.Helper()
	cal, err := NewCalibrator(method, GPTQ)
	require.NoError(t, err)
	cal.Watch(0, m)
	obs := proto.Clone(m).(*onnxpb.ModelProto)
	names := Observe(obs)
	for _, x := range inputs {
		cal.AddRun(0, names, run(t, obs, x))
	}
	p, err := cal.Plan(nil)
	require.NoError(t, err)
	return p
}

func opCounts(m *onnxpb.ModelProto) map[string]int {
	out := map[string]int{}
	for _, n := range m.GetGraph().GetNode() {
		out[n.GetOpType()]++
	}
	return out
}

func maxAbsDiff(a, b []float32) float32 {
	d := float32(0)
	for i := range a {
		d = max(d, abs32(a[i]-b[i]))
	}
	return d
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// uniformPlan is an Int8 plan for cluster 0 of m that gives every tensor
// CalibrationTensors names the range [lo, hi].
func uniformPlan(m *onnxpb.ModelProto, lo, hi float32) *Plan {
	plan := &Plan{Format: Format, Mode: Int8, Clusters: []ClusterPlan{{ID: 0}}}
	for _, name := range CalibrationTensors(m) {
		plan.Clusters[0].Ranges = append(plan.Clusters[0].Ranges, Range{Tensor: name, Min: lo, Max: hi})
	}
	slices.SortFunc(plan.Clusters[0].Ranges, func(a, b Range) int { return strings.Compare(a.Tensor, b.Tensor) })
	return plan
}
