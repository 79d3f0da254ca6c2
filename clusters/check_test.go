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

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

// opCase is one translator check: a node fed inputs, some of them static
// (become Const nodes in the cluster), compared on nOut outputs.
type opCase struct {
	name   string
	node   *tfpb.NodeDef
	inputs []*tensor.Tensor
	static []bool
	nOut   int
	tol    tensor.Tolerance
}

// singleNodeCluster builds a cluster of one node: its static inputs are
// Const nodes inside the cluster, the others placeholders outside.
func singleNodeCluster(tc opCase) (*Cluster, []*tensor.Tensor, *tfpb.GraphDef) {
	var b graph.Builder
	cl := &Cluster{}
	var feeds []*tensor.Tensor
	node := proto.Clone(tc.node).(*tfpb.NodeDef)
	node.Name = "op"
	node.Input = nil
	for i, in := range tc.inputs {
		name := fmt.Sprintf("in%d", i)
		node.Input = append(node.Input, name)
		if i < len(tc.static) && tc.static[i] {
			cl.Nodes = append(cl.Nodes, b.Const(name, in))
			continue
		}
		b.Placeholder(name, in.DType(), nil)
		cl.Inputs = append(cl.Inputs, name+":0")
		feeds = append(feeds, in)
	}
	b.Graph().Node = append(b.Graph().Node, node)
	cl.Nodes = append(cl.Nodes, node)
	nOut := max(tc.nOut, 1)
	for k := 0; k < nOut; k++ {
		cl.Outputs = append(cl.Outputs, graph.TensorName{Node: "op", Output: k}.Canonical())
	}
	return cl, feeds, b.Graph()
}

// checkOp translates the node, runs it on ONNX Runtime and compares with
// the executor. It returns the ONNX graph for structural assertions.
func checkOp(t *testing.T, tc opCase) *onnxpb.GraphProto {
	t.Helper()
	cl, feeds, _ := singleNodeCluster(tc)
	return checkCluster(t, cl, feeds, tc.tol)
}

// checkCluster translates a cluster whose nodes must all be supported,
// runs it on ONNX Runtime and compares with the executor (tolerance tol,
// rtol 1e-5/atol 1e-5 when zero). It returns the ONNX graph.
func checkCluster(t *testing.T, cl *Cluster, feeds []*tensor.Tensor, tol tensor.Tolerance) *onnxpb.GraphProto {
	t.Helper()
	enginetest.Require(t)
	for _, n := range cl.Nodes {
		ok, why := Supported(n)
		require.True(t, ok, "%s not supported: %s", n.GetName(), why)
	}
	r, err := newRunner(cl)
	require.NoError(t, err)
	info, want, err := r.Infer(context.Background(), feeds, nil)
	require.NoError(t, err)
	return compareOnEngine(t, cl, info, feeds, want, tol)
}

// compareOnEngine runs cl on ONNX Runtime (see runOnEngine) and compares
// its outputs with want.
func compareOnEngine(t *testing.T, cl *Cluster, info map[string]TensorInfo, in, want []*tensor.Tensor, tol tensor.Tolerance) *onnxpb.GraphProto {
	t.Helper()
	got, g := runOnEngine(t, cl, info, in)
	require.Len(t, got, len(want))
	if tol == (tensor.Tolerance{}) {
		tol = tensor.Tolerance{RTol: 1e-5, ATol: 1e-5}
	}
	for k := range want {
		assert.NoError(t, tensor.Compare(got[k], want[k], tol), "output %d\n%s", k, dumpGraph(g))
	}
	return g
}

// runOnEngine translates cl with info, compiles it and runs it on ONNX
// Runtime on in (in cluster-input order), returning its outputs and the
// ONNX graph.
func runOnEngine(t *testing.T, cl *Cluster, info map[string]TensorInfo, in []*tensor.Tensor) ([]*tensor.Tensor, *onnxpb.GraphProto) {
	t.Helper()
	m, err := Translate(cl, info)
	require.NoError(t, err)
	bytes, err := proto.Marshal(m.Proto)
	require.NoError(t, err)
	sess, err := engine.NewSession(bytes, engine.SessionOptions{})
	require.NoError(t, err, "compiling:\n%s", dumpGraph(m.Proto.Graph))
	defer sess.Close()
	feeds := make([]*tensor.Tensor, len(m.Inputs))
	for k, i := range m.Inputs {
		feeds[k] = in[i]
	}
	got, err := sess.Run(context.Background(), feeds)
	require.NoError(t, err, "running:\n%s", dumpGraph(m.Proto.Graph))
	return got, m.Proto.Graph
}

func dumpGraph(g *onnxpb.GraphProto) string {
	s := ""
	for _, n := range g.GetNode() {
		s += fmt.Sprintf("  %s %v -> %v\n", n.GetOpType(), n.GetInput(), n.GetOutput())
	}
	return s
}

// randTensor returns a tensor of uniform values in [lo, hi).
func randTensor(rng *rand.Rand, dt tensor.DType, shape tensor.Shape, lo, hi float64) *tensor.Tensor {
	vals := make([]float64, shape.NumElements())
	for i := range vals {
		vals[i] = lo + rng.Float64()*(hi-lo)
		if dt.IsInteger() {
			vals[i] = float64(int64(vals[i]))
		}
	}
	t, err := tensor.FromFloat64s(dt, shape, vals)
	if err != nil {
		panic(err)
	}
	return t
}

func countOps(g *onnxpb.GraphProto, op string) int {
	n := 0
	for _, node := range g.GetNode() {
		if node.GetOpType() == op {
			n++
		}
	}
	return n
}

// runner is the test's oracle: the cluster's nodes on the executor, with a
// Recorder observing them (package offload does the same for sessions; it
// cannot be imported here, as it imports this package).
type runner struct {
	cl   *Cluster
	exec *tfexec.Executor
}

func newRunner(cl *Cluster) (*runner, error) {
	exec, err := tfexec.New(cl.Subgraph())
	if err != nil {
		return nil, err
	}
	return &runner{cl: cl, exec: exec}, exec.Prepare(cl.Inputs, cl.Outputs)
}

func (r *runner) Infer(ctx context.Context, inputs []*tensor.Tensor, static []bool) (map[string]TensorInfo, []*tensor.Tensor, error) {
	feeds := make(map[string]*tensor.Tensor, len(inputs))
	for i, name := range r.cl.Inputs {
		feeds[name] = inputs[i]
	}
	rec := NewRecorder(r.cl, inputs, static)
	outs, err := r.exec.Run(ctx, feeds, r.cl.Outputs, tfexec.WithObserver(rec.Observe))
	return rec.Info(), outs, err
}
