package opdefs

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// Known says which nodes of a region produce values known when the region
// is compiled, and which have output shapes fixed by the shapes of the
// tensors entering the region (a compiled signature fixes those).
type Known struct {
	Value map[string]bool // node name → outputs known at compile time
	Shape map[string]bool // node name → output shapes fixed by input shapes
}

// Analyze decides Known for a region: nodes, in topological order, that
// are compiled together. staticOutside reports whether a tensor entering
// the region from outside is known at compile time; shapes of tensors
// entering the region are always fixed.
//
// A node's outputs are known when it is a Const, when it is ShapeOnly and
// the shapes of its inputs are fixed, or when every one of its data inputs
// is known (a Placeholder never is). Its output shapes are fixed unless it
// is DataShape, an input's shape is not fixed, or one of its ShapeInputs
// is not known.
func Analyze(nodes []*tfpb.NodeDef, staticOutside func(graph.TensorName) bool) Known {
	k := Known{Value: make(map[string]bool, len(nodes)), Shape: make(map[string]bool, len(nodes))}
	inside := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		inside[n.GetName()] = true
	}
	valueKnown := func(t graph.TensorName) bool {
		if inside[t.Node] {
			return k.Value[t.Node]
		}
		return staticOutside(t)
	}
	shapeKnown := func(t graph.TensorName) bool { return !inside[t.Node] || k.Shape[t.Node] }
	var data []graph.TensorName
	for _, n := range nodes {
		data = data[:0]
		for _, in := range n.GetInput() {
			if t, err := graph.ParseTensorName(in); err == nil && !t.Control {
				data = append(data, t)
			}
		}
		f := table[n.GetOp()]
		fixed := !f.DataShape
		for _, t := range data {
			fixed = fixed && shapeKnown(t)
		}
		for _, i := range resolve(f.ShapeInputs, len(data)) {
			fixed = fixed && valueKnown(data[i])
		}
		k.Shape[n.GetName()] = fixed

		var known bool
		switch {
		case n.GetOp() == "Const":
			known = true
		case f.ShapeOnly:
			known = len(data) > 0
			for _, t := range data {
				known = known && shapeKnown(t)
			}
		case n.GetOp() != "Placeholder" && len(data) > 0:
			known = true
			for _, t := range data {
				known = known && valueKnown(t)
			}
		}
		k.Value[n.GetName()] = known
	}
	return k
}
