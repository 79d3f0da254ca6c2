package partition

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// Fake ops: F is supported, U is not, S is supported but its input 1 must
// be static.
func fakeSupported(n *tfpb.NodeDef) (bool, string) {
	switch n.GetOp() {
	case "F", "S", "Const", "Identity":
		return true, ""
	}
	return false, n.GetOp() + " is a fake unsupported op"
}

func fakeStatic(n *tfpb.NodeDef) []int {
	if n.GetOp() == "S" {
		return []int{1}
	}
	return nil
}

func fakeOpts(min int) Options {
	return Options{MinNontrivialNodes: &min, Supported: fakeSupported, StaticInputs: fakeStatic}
}

func build(spec [][]string) *tfpb.GraphDef {
	var b graph.Builder
	for _, s := range spec {
		b.Add(s[0], s[1], s[2:], nil)
	}
	return b.Graph()
}

// together reports whether all named nodes share one cluster.
func together(p *Plan, names ...string) bool {
	id, ok := p.ClusterOf[names[0]]
	if !ok {
		return false
	}
	for _, n := range names[1:] {
		if other, ok := p.ClusterOf[n]; !ok || other != id {
			return false
		}
	}
	return true
}

func TestNamedGraphs(t *testing.T) {
	t.Run("output groups never share a cluster", func(t *testing.T) {
		// Two signatures share w: x → a(·w) → a2 and y → b(·w) → b2. One
		// cluster holding a and b would need both x and y fed to fetch
		// either signature's output.
		g := build([][]string{{"x", "Placeholder"}, {"y", "Placeholder"}, {"w", "F"},
			{"a", "F", "x", "w"}, {"a2", "F", "a"}, {"b", "F", "y", "w"}, {"b2", "F", "b"}})
		o := fakeOpts(1)
		p, err := Partition(g, o)
		require.NoError(t, err)
		assert.True(t, together(p, "a", "b"), "without groups the shared w joins them")
		o.OutputGroups = [][]string{{"a2:0"}, {"b2:0"}}
		p, err = Partition(g, o)
		require.NoError(t, err)
		assert.True(t, together(p, "a", "a2"))
		assert.True(t, together(p, "b", "b2"))
		assert.False(t, together(p, "a", "b"))
		assert.False(t, together(p, "w", "a"), "w serves both groups")
		for _, c := range p.Clusters {
			for _, in := range c.Inputs {
				assert.False(t, in == "x:0" && slices.Contains(c.Inputs, "y:0"), "a cluster fed by both signatures' inputs")
			}
		}
	})
	t.Run("chain becomes one cluster", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"b", "F", "a"}, {"c", "F", "b"}, {"d", "F", "c"}})
		p, err := Partition(g, fakeOpts(2))
		require.NoError(t, err)
		assert.True(t, together(p, "a", "b", "c", "d"))
		assert.Equal(t, []string{"x:0"}, p.Clusters[0].Inputs)
		assert.Equal(t, ReasonInput, p.Fallback[0].Reason.Kind)
	})
	t.Run("unsupported node splits a diamond without a cycle", func(t *testing.T) {
		// a → u(unsupported) → d and a → c → d: a and d together would
		// make the cluster both feed and consume u.
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"u", "U", "a"}, {"c", "F", "a"}, {"d", "F", "u", "c"}})
		p, err := Partition(g, fakeOpts(1))
		require.NoError(t, err)
		assert.False(t, together(p, "a", "d"))
		assert.True(t, together(p, "a", "c") || together(p, "c", "d"))
		assert.NotEmpty(t, p.Refusals)
	})
	t.Run("non-constant static input stays outside", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"k", "F", "x"}, {"s", "S", "a", "k"}, {"b", "F", "s"}})
		p, err := Partition(g, fakeOpts(1))
		require.NoError(t, err)
		assert.False(t, together(p, "k", "s"), "k computes s's static input at run time")
		assert.True(t, together(p, "a", "s", "b"))
	})
	t.Run("constant static input joins", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"k", "Const"}, {"ki", "Identity", "k"}, {"s", "S", "a", "ki"}})
		p, err := Partition(g, fakeOpts(1))
		require.NoError(t, err)
		assert.True(t, together(p, "a", "k", "ki", "s"))
	})
	t.Run("minimum size drops small clusters", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"b", "F", "a"}, {"u", "U", "b"}, {"c", "F", "u"}})
		p, err := Partition(g, fakeOpts(2))
		require.NoError(t, err)
		assert.True(t, together(p, "a", "b"))
		_, ok := p.ClusterOf["c"]
		assert.False(t, ok)
		assert.Equal(t, ReasonTooSmall, reasonOf(p, "c").Kind)
		assert.Equal(t, ReasonUnsupported, reasonOf(p, "u").Kind)
	})
	t.Run("disabled ops are never offloaded", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"b", "F", "a"}})
		o := fakeOpts(1)
		o.DisabledOps = []string{"F"}
		p, err := Partition(g, o)
		require.NoError(t, err)
		assert.Empty(t, p.Clusters)
		assert.Equal(t, ReasonDisabled, reasonOf(p, "a").Kind)
	})
	t.Run("cond branches do not merge with the outside", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"p", "Placeholder"}, {"a", "F", "x"}, {"sw", "Switch", "a", "p"},
			{"t1", "F", "sw:1"}, {"t2", "F", "t1"}, {"f1", "F", "sw:0"}, {"m", "Merge", "f1", "t2"}, {"after", "F", "m"}, {"after2", "F", "after", "a"}})
		p, err := Partition(g, fakeOpts(1))
		require.NoError(t, err)
		assert.True(t, together(p, "t1", "t2"))
		assert.False(t, together(p, "a", "t1"))
		assert.False(t, together(p, "t1", "f1"))
		assert.True(t, together(p, "after", "after2"), "after the merge both branches are live again")
		assert.False(t, together(p, "a", "after"), "a cluster holding both would feed and consume the cond")
		assert.Equal(t, ReasonControlFlow, reasonOf(p, "sw").Kind)
	})
	t.Run("functional control flow and calls are never offloaded", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"if", "If", "a", "a"}, {"w", "StatelessWhile", "if"},
			{"c", "StatefulPartitionedCall", "w"}, {"direct", "fn", "c"}, {"b", "F", "direct"}, {"d", "F", "b"}})
		g.Library = &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{{Signature: &tfpb.OpDef{Name: "fn"}}}}
		o := fakeOpts(1)
		o.Supported = func(*tfpb.NodeDef) (bool, string) { return true, "" } // even were they translatable
		p, err := Partition(g, o)
		require.NoError(t, err)
		for node, detail := range map[string]string{"if": "If", "w": "StatelessWhile", "c": "StatefulPartitionedCall", "direct": "call of function fn"} {
			assert.Equal(t, Reason{Kind: ReasonControlFlow, Detail: detail}, reasonOf(p, node), node)
		}
		assert.True(t, together(p, "b", "d"))
		assert.False(t, together(p, "a", "b"))
	})
	t.Run("max clusters keeps the largest", func(t *testing.T) {
		g := build([][]string{{"x", "Placeholder"}, {"a", "F", "x"}, {"u", "U", "a"}, {"b", "F", "u"}, {"c", "F", "b"}})
		o := fakeOpts(1)
		o.MaxClusters = 1
		p, err := Partition(g, o)
		require.NoError(t, err)
		require.Len(t, p.Clusters, 1)
		assert.True(t, together(p, "b", "c"))
		assert.Equal(t, ReasonMaxClusters, reasonOf(p, "a").Kind)
	})
}

func reasonOf(p *Plan, node string) Reason {
	for _, f := range p.Fallback {
		if f.Node == node {
			return f.Reason
		}
	}
	return Reason{}
}

func TestDefaultMinimum(t *testing.T) {
	cases := []struct {
		sizes []int
		want  int
	}{
		{nil, 6},                         // no clusters: no division by zero
		{[]int{3}, 6},                    // never below 6
		{[]int{640}, 6},                  // M/32 = 20 < 2·M/C = 1280 → /4 = 5 → 6
		{[]int{1000, 2, 2, 2, 2, 2}, 62}, // M/C = 168 ≥ Max/32 = 31; 31 < 336 → /4 = 7... see below
	}
	cases[3].want = func() int {
		m, c, mx := 1010, 6, 1000
		v := m / 32
		if m/c < mx/32 {
			v *= 2
		} else if v < 2*(m/c) {
			v /= 4
		}
		return max(v, 6)
	}()
	// Many small clusters and one large: M/C < Max/32 doubles the minimum.
	cases = append(cases, struct {
		sizes []int
		want  int
	}{append([]int{4000}, make([]int, 100)...), 2 * (4000 / 32)})
	for _, tc := range cases {
		assert.Equal(t, tc.want, DefaultMinimum(tc.sizes), "%v", tc.sizes[:min(len(tc.sizes), 3)])
	}
}

// randomDAG builds a graph of n nodes with random fake ops and edges.
func randomDAG(rng *rand.Rand, n int) *tfpb.GraphDef {
	var b graph.Builder
	b.Add("in", "Placeholder", nil, nil)
	names := []string{"in"}
	ops := []string{"F", "F", "F", "F", "U", "S", "Const", "Identity"}
	for i := 0; i < n; i++ {
		op := ops[rng.IntN(len(ops))]
		name := fmt.Sprintf("n%d", i)
		var ins []string
		switch op {
		case "Const":
		case "S":
			ins = []string{names[rng.IntN(len(names))], names[rng.IntN(len(names))]}
		default:
			for k := 0; k < 1+rng.IntN(3); k++ {
				ins = append(ins, names[rng.IntN(len(names))])
			}
			if rng.IntN(6) == 0 {
				ins = append(ins, "^"+names[rng.IntN(len(names))])
			}
		}
		b.Add(name, op, ins, nil)
		names = append(names, name)
	}
	return b.Graph()
}

func TestRandomDAGProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	for iter := 0; iter < 300; iter++ {
		g := randomDAG(rng, 5+rng.IntN(60))
		min := 1 + rng.IntN(4)
		p, err := Partition(g, fakeOpts(min))
		require.NoError(t, err, "iteration %d", iter)

		// Every node is in exactly one cluster or on the fallback.
		seen := map[string]int{}
		for _, c := range p.Clusters {
			for _, n := range c.NodeNames() {
				seen[n]++
			}
			assert.GreaterOrEqual(t, c.NonTrivial(), min, "minimum size")
		}
		for _, f := range p.Fallback {
			seen[f.Node]++
			assert.NotEmpty(t, f.Reason.Kind)
		}
		for _, n := range g.GetNode() {
			assert.Equal(t, 1, seen[n.GetName()], "node %s", n.GetName())
			if id, ok := p.ClusterOf[n.GetName()]; ok {
				ok2, _ := fakeSupported(n)
				assert.True(t, ok2, "unsupported node %s clustered", n.GetName())
				assert.Contains(t, p.Clusters[id].NodeNames(), n.GetName())
			}
		}
		// The cluster graph is acyclic.
		assert.NoError(t, clusterGraphAcyclic(g, p), "iteration %d", iter)
		// Producers of static inputs whose value is not static (derived from
		// constants alone) are never in the consumer's cluster.
		static := map[string]bool{}
		for _, n := range g.GetNode() {
			ok := n.GetOp() == "Const"
			if n.GetOp() == "F" || n.GetOp() == "S" || n.GetOp() == "Identity" {
				ok = true
				for _, in := range n.GetInput() {
					tn := graph.MustParseTensorName(in)
					ok = ok && (tn.Control || static[tn.Node])
				}
			}
			static[n.GetName()] = ok
		}
		for _, n := range g.GetNode() {
			if n.GetOp() != "S" {
				continue
			}
			prod := graph.MustParseTensorName(n.GetInput()[1]).Node
			if !static[prod] && together(p, prod, n.GetName()) {
				t.Errorf("iteration %d: %s feeds %s's static input from inside its cluster", iter, prod, n.GetName())
			}
		}
		// Deterministic.
		again, err := Partition(g, fakeOpts(min))
		require.NoError(t, err)
		assert.Equal(t, p.ClusterOf, again.ClusterOf)
		assert.Equal(t, p.Fallback, again.Fallback)
	}
}

func nodeByName(g *tfpb.GraphDef, name string) *tfpb.NodeDef {
	for _, n := range g.GetNode() {
		if n.GetName() == name {
			return n
		}
	}
	return nil
}

// clusterGraphAcyclic collapses each cluster into one node and sorts.
func clusterGraphAcyclic(g *tfpb.GraphDef, p *Plan) error {
	rep := func(n string) string {
		if id, ok := p.ClusterOf[n]; ok {
			return fmt.Sprintf("cluster%d", id)
		}
		return n
	}
	ins := map[string][]string{}
	var order []string
	for _, n := range g.GetNode() {
		r := rep(n.GetName())
		if _, ok := ins[r]; !ok {
			ins[r] = nil
			order = append(order, r)
		}
		for _, in := range n.GetInput() {
			src := rep(graph.MustParseTensorName(in).Node)
			if src != r && !slices.Contains(ins[r], src) {
				ins[r] = append(ins[r], src)
			}
		}
	}
	var collapsed graph.Builder
	for _, r := range order {
		collapsed.Add(r, "X", ins[r], nil)
	}
	_, err := graph.TopoSort(collapsed.Graph())
	return err
}
