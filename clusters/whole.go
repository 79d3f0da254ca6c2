package clusters

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// UnsupportedError lists the nodes that keep a graph from translating as a
// whole, with the reason for each.
type UnsupportedError struct {
	Nodes []string // "name (Op): reason", in topological order
}

func (e *UnsupportedError) Error() string {
	shown := e.Nodes
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(" and %d more", len(e.Nodes)-5)
	}
	return fmt.Sprintf("%d node(s) cannot be translated to ONNX: %s%s", len(e.Nodes), strings.Join(shown, "; "), more)
}

func (e *UnsupportedError) Unwrap() error { return ErrUntranslatable }

// WholeGraph returns the cluster of every node the outputs depend on (in
// topological order),
// given which tensors are the graph's inputs (normally its placeholders),
// for translating a model as one ONNX model. It fails with an
// *UnsupportedError naming every node the translator table does not
// support.
func WholeGraph(g *tfpb.GraphDef, inputs, outputs []string) (*Cluster, error) {
	ix, err := graph.NewIndex(g)
	if err != nil {
		return nil, err
	}
	fed := map[string]bool{}
	for i, in := range inputs {
		t, err := graph.ParseTensorName(in)
		if err != nil {
			return nil, err
		}
		inputs[i] = t.Canonical()
		fed[t.Node] = true
	}
	keep := make([]bool, len(g.GetNode()))
	var stack []int
	for _, o := range outputs {
		t, err := graph.ParseTensorName(o)
		if err != nil {
			return nil, err
		}
		p := ix.Position(t.Node)
		if p < 0 {
			return nil, fmt.Errorf("output %q: %w", o, graph.ErrMissingNode)
		}
		stack = append(stack, p)
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if keep[p] || fed[g.Node[p].GetName()] {
			continue
		}
		keep[p] = true
		for _, in := range ix.Inputs(p) {
			q := ix.Position(in.Node)
			if q < 0 {
				return nil, fmt.Errorf("node %q input %q: %w", g.Node[p].GetName(), in, graph.ErrMissingNode)
			}
			stack = append(stack, q)
		}
	}
	sorted, err := graph.TopoSort(g)
	if err != nil {
		return nil, err
	}
	cl := &Cluster{Inputs: slices.Clone(inputs)}
	var bad []string
	for _, n := range sorted {
		if !keep[ix.Position(n.GetName())] {
			continue
		}
		if ok, why := Supported(n); !ok {
			bad = append(bad, fmt.Sprintf("%s (%s): %s", n.GetName(), n.GetOp(), why))
			continue
		}
		cl.Nodes = append(cl.Nodes, n)
	}
	if len(bad) > 0 {
		return nil, &UnsupportedError{Nodes: bad}
	}
	for _, o := range outputs {
		cl.Outputs = append(cl.Outputs, graph.MustParseTensorName(o).Canonical())
	}
	return cl, nil
}
