package clusters

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Helpers shared by the translator families' tests; check_test.go holds
// the harness (checkOp, checkCluster, the test runner).

func i32s(v ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

func i64s(v ...int64) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

// i32m builds an int32 tensor of any shape.
func i32m(shape tensor.Shape, v ...int32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// anyTensor returns random values fit for dt: small integers (non-negative
// for unsigned types, 0/1 for bool), floats in [-1, 1).
func anyTensor(rng *rand.Rand, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	switch {
	case dt == tensor.Bool:
		return randTensor(rng, dt, shape, 0, 2)
	case dt.IsUnsigned():
		return randTensor(rng, dt, shape, 0, 20)
	case dt.IsInteger():
		return randTensor(rng, dt, shape, -20, 20)
	}
	return randTensor(rng, dt, shape, -1, 1)
}

// sparseTensor returns values of dt that are zero about a third of the time.
func sparseTensor(rng *rand.Rand, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	vals := make([]float64, shape.NumElements())
	for i := range vals {
		vals[i] = float64(rng.IntN(3))
	}
	t, err := tensor.FromFloat64s(dt, shape, vals)
	if err != nil {
		panic(err)
	}
	return t
}

// randOf returns random values of dt: floats in [lo, hi), signed integers
// in [ilo, ihi), unsigned ones in [0, ihi).
func randOf(rng *rand.Rand, dt tensor.DType, shape tensor.Shape, lo, hi float64, ilo, ihi float64) *tensor.Tensor {
	switch {
	case dt == tensor.Bool:
		v := make([]bool, shape.NumElements())
		for i := range v {
			v[i] = rng.IntN(2) == 1
		}
		return tensor.MustFromSlice(shape, v)
	case dt.IsUnsigned():
		return randTensor(rng, dt, shape, 0, ihi)
	case dt.IsInteger():
		return randTensor(rng, dt, shape, ilo, ihi)
	}
	return randTensor(rng, dt, shape, lo, hi)
}

// floatsOf converts vals to a tensor of dtype dt.
func floatsOf(dt tensor.DType, shape tensor.Shape, vals []float64) *tensor.Tensor {
	t, err := tensor.FromFloat64s(dt, shape, vals)
	if err != nil {
		panic(err)
	}
	return t
}

// tolFor is the comparison tolerance for outputs of dtype dt: the default
// for float and exact types, one rounding of half and bfloat16 (both
// sides compute in float and round once, so results differ at most where
// the float results straddle a rounding boundary).
func tolFor(dt tensor.DType) tensor.Tolerance {
	if dt == tensor.Float16 || dt == tensor.BFloat16 {
		return tensor.Tolerance{RTol: 1e-2, ATol: 1e-2}
	}
	return tensor.Tolerance{}
}

func arrNode(op string, attrs map[string]any) *tfpb.NodeDef {
	return graph.NewNode("n", op, nil, attrs)
}

// afterConv builds a cluster in which node's input 0 is an NHWC Conv2D of
// the placeholder x (3×3 filter, SAME, c output channels), so that it
// arrives stored NCHW; node's other inputs are Consts where static says so
// and placeholders otherwise. It returns the cluster and its feeds.
func afterConv(rng *rand.Rand, node *tfpb.NodeDef, x *tensor.Tensor, c int, rest []*tensor.Tensor, static []bool, nOut int) (*Cluster, []*tensor.Tensor) {
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("x", f32, nil)
	cl := &Cluster{Inputs: []string{"x:0"}}
	feeds := []*tensor.Tensor{x}
	cl.Nodes = append(cl.Nodes,
		b.Const("w", randTensor(rng, f32, tensor.Shape{3, 3, x.Shape()[3], c}, -1, 1)),
		b.Add("conv", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}))
	n := proto.Clone(node).(*tfpb.NodeDef)
	n.Name, n.Input = "op", []string{"conv"}
	for i, t := range rest {
		name := fmt.Sprintf("in%d", i+1)
		n.Input = append(n.Input, name)
		if i < len(static) && static[i] {
			cl.Nodes = append(cl.Nodes, b.Const(name, t))
			continue
		}
		b.Placeholder(name, t.DType(), nil)
		cl.Inputs = append(cl.Inputs, name+":0")
		feeds = append(feeds, t)
	}
	cl.Nodes = append(cl.Nodes, n)
	for k := 0; k < max(nOut, 1); k++ {
		cl.Outputs = append(cl.Outputs, graph.TensorName{Node: "op", Output: k}.Canonical())
	}
	return cl, feeds
}

// checkGraph translates the non-placeholder nodes of g as one cluster
// (placeholders are its inputs), runs it on ONNX Runtime and compares with
// the executor.
func checkGraph(t *testing.T, g *tfpb.GraphDef, feeds map[string]*tensor.Tensor, outputs ...string) *onnxpb.GraphProto {
	t.Helper()
	cl := &Cluster{Outputs: outputs}
	var in []*tensor.Tensor
	for _, n := range g.GetNode() {
		if n.GetOp() == "Placeholder" {
			cl.Inputs = append(cl.Inputs, n.GetName()+":0")
			in = append(in, feeds[n.GetName()])
			continue
		}
		cl.Nodes = append(cl.Nodes, n)
	}
	return checkCluster(t, cl, in, tensor.Tolerance{})
}

// oracleAccepts reports whether the executor runs the case.
func oracleAccepts(tc opCase) bool {
	cl, feeds, _ := singleNodeCluster(tc)
	r, err := newRunner(cl)
	if err != nil {
		return false
	}
	_, _, err = r.Infer(context.Background(), feeds, nil)
	return err == nil
}

// runSingle translates a one-node cluster and returns ONNX Runtime's
// output 0, for checks Compare cannot make.
func runSingle(t *testing.T, tc opCase) *tensor.Tensor {
	t.Helper()
	enginetest.Require(t)
	cl, feeds, _ := singleNodeCluster(tc)
	r, err := newRunner(cl)
	require.NoError(t, err)
	info, _, err := r.Infer(context.Background(), feeds, nil)
	require.NoError(t, err)
	got, _ := runOnEngine(t, cl, info, feeds)
	return got[0]
}

// assertUnsupported checks that Supported rejects node.
func assertUnsupported(t *testing.T, node *tfpb.NodeDef) {
	t.Helper()
	ok, why := Supported(node)
	assert.False(t, ok, "%s %v should be rejected", node.GetOp(), node.GetAttr())
	assert.NotEmpty(t, why)
}
