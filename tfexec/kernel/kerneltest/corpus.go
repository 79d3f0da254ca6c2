package kerneltest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfops"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// plumbing are the ops RunCorpus evaluates itself. Assign stands in for
// a variable: in a frozen graph it just forwards the assigned value.
var plumbing = map[string]bool{"Const": true, "Identity": true, "Placeholder": true, "NoOp": true, "Assign": true}

// RunCorpus runs every graph of the op corpus (../shared/models/tfops)
// under dirs that uses only ops with registered kernels (plus Const,
// Identity, Placeholder, NoOp and Assign, which it evaluates itself), one
// subtest each, and compares the results with the values TensorFlow
// computed, to the 8 decimals the corpus prints. It returns the number of
// graphs it ran. A kernel package's test sees only its own kernels, so
// graphs that need other packages are left to tfexec's corpus test.
func RunCorpus(t *testing.T, dirs ...string) int {
	root := filepath.Join(testutil.SharedModels(t), "tfops")
	ran := 0
	for _, dir := range dirs {
		names, err := tfops.Find(filepath.Join(root, dir))
		require.NoError(t, err)
		for _, name := range names {
			c, err := tfops.Load(root, filepath.ToSlash(filepath.Join(dir, name)))
			require.NoError(t, err)
			if missing := unsupportedOps(c.Graph); len(missing) > 0 || !computes(c.Graph) {
				continue
			}
			ran++
			t.Run(c.Name, func(t *testing.T) { runCorpusCase(t, c) })
		}
	}
	t.Logf("ran %d corpus graphs", ran)
	return ran
}

func unsupportedOps(g *tfpb.GraphDef) []string {
	var missing []string
	for _, n := range g.GetNode() {
		if _, ok := kernel.Lookup(n.GetOp()); !ok && !plumbing[n.GetOp()] && !slices.Contains(missing, n.GetOp()) {
			missing = append(missing, n.GetOp())
		}
	}
	return missing
}

// computes reports whether g has a node that is not plumbing.
func computes(g *tfpb.GraphDef) bool {
	return slices.ContainsFunc(g.GetNode(), func(n *tfpb.NodeDef) bool { return !plumbing[n.GetOp()] })
}

// runCorpusCase evaluates the graph node by node, on demand, with the
// kernels of the registry.
func runCorpusCase(t *testing.T, c *tfops.Case) {
	nodes := map[string]*tfpb.NodeDef{}
	for _, n := range c.Graph.GetNode() {
		nodes[n.GetName()] = n
	}
	values := map[string][]*tensor.Tensor{}
	var eval func(name string) []*tensor.Tensor
	eval = func(name string) []*tensor.Tensor {
		if v, ok := values[name]; ok {
			return v
		}
		n := nodes[name]
		require.NotNil(t, n, "node %q", name)
		var out []*tensor.Tensor
		switch n.GetOp() {
		case "Const":
			v, err := graph.AttrsOf(n).Tensor("value")
			require.NoError(t, err)
			out = []*tensor.Tensor{v}
		case "Placeholder":
			v, ok := c.Feeds[name]
			require.True(t, ok, "placeholder %q not fed", name)
			out = []*tensor.Tensor{v}
		default:
			var in []*tensor.Tensor
			for _, s := range n.GetInput() {
				if strings.HasPrefix(s, "^") {
					continue
				}
				tn := graph.MustParseTensorName(s)
				in = append(in, eval(tn.Node)[tn.Output])
			}
			switch n.GetOp() {
			case "Identity":
				out = in
			case "Assign":
				out = in[1:]
			default:
				f, _ := kernel.Lookup(n.GetOp())
				node := kernel.NewNode(n)
				k, err := f(node)
				require.NoError(t, err, "prepare %s", name)
				out, err = k(&kernel.Context{Context: context.Background(), Node: node}, in)
				require.NoError(t, err, "run %s", name)
			}
		}
		values[name] = out
		return out
	}
	require.NotEmpty(t, c.Expected)
	for _, e := range c.Expected {
		tn := graph.MustParseTensorName(e.Tensor)
		got := eval(tn.Node)
		require.Greater(t, len(got), tn.Output, "%s", e.Tensor)
		g := got[tn.Output]
		dt := e.DType
		if dt == tensor.Invalid {
			dt = g.DType()
		}
		require.Equal(t, dt, g.DType(), "%s dtype", e.Tensor)
		tol := tensor.Tolerance{}
		if dt.IsFloat() {
			// Compare in float64 with the printed decimals: TensorFlow's
			// value and ours agree when they round to the same 8 decimals.
			// Fed placeholders were printed before their float32 cast, so
			// with them our inputs, and results, may be an ulp or so off.
			g = asFloat64(t, g)
			dt, tol = tensor.Float64, tensor.Tolerance{ATol: 5.01e-9}
			if len(c.Feeds) > 0 {
				tol = tensor.Tolerance{RTol: 2.4e-7, ATol: 6e-8}
			}
		}
		want, err := tfops.Parse(dt, e.Shape, e.Values)
		require.NoError(t, err)
		// The corpus writes a one-element vector and a scalar the same way.
		if want.Rank() == 1 && want.Shape()[0] == 1 && g.Rank() == 0 {
			want, _ = want.Reshape(tensor.Shape{})
		}
		assert.NoError(t, tensor.Compare(g, want, tol), "%s", e.Tensor)
	}
}

func asFloat64(t *testing.T, x *tensor.Tensor) *tensor.Tensor {
	v, err := tensor.Float64s(x)
	require.NoError(t, err)
	return tensor.MustFromSlice(x.Shape(), v)
}

// AssertFloatOutputs compares got, a case's outputs in Fetches order,
// with TensorFlow's: the printed values are parsed as float64 and
// compared with ours, converted to float64, within tol, so that they are
// not rounded a second time.
func AssertFloatOutputs(t *testing.T, c *tfops.Case, got []*tensor.Tensor, tol tensor.Tolerance) {
	t.Helper()
	require.Len(t, got, len(c.Expected))
	for i, ex := range c.Expected {
		want, err := tfops.Parse(tensor.Float64, ex.Shape, ex.Values)
		require.NoError(t, err)
		g, err := tensor.Float64s(got[i])
		require.NoError(t, err)
		assert.NoError(t, tensor.Compare(tensor.MustFromSlice(got[i].Shape(), g), want, tol), ex.Tensor)
	}
}
