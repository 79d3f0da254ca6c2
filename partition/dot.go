package partition

import (
	"fmt"
	"io"
	"strconv"

	"github.com/tfoffload/tfoffload/graph"
)

// WriteDOT writes the plan as a Graphviz graph: one subgraph per cluster,
// fallback nodes outside, edges as in the graph (control edges dashed).
func (p *Plan) WriteDOT(w io.Writer) error {
	ew := &errWriter{w: w}
	ops := make(map[string]string, len(p.Graph.GetNode()))
	for _, n := range p.Graph.GetNode() {
		ops[n.GetName()] = n.GetOp()
	}
	ew.printf("digraph tfoffload {\n  rankdir=TB;\n  node [shape=box, fontsize=10];\n")
	for _, c := range p.Clusters {
		ew.printf("  subgraph cluster_%d {\n    label=%s;\n    style=filled; color=lightblue;\n", c.ID,
			strconv.Quote(fmt.Sprintf("cluster %d (%d non-trivial)", c.ID, c.NonTrivial())))
		for _, n := range c.NodeNames() {
			ew.printf("    %s [label=%s];\n", strconv.Quote(n), strconv.Quote(n+"\n"+ops[n]))
		}
		ew.printf("  }\n")
	}
	for _, f := range p.Fallback {
		ew.printf("  %s [label=%s, style=filled, fillcolor=lightgrey, tooltip=%s];\n", strconv.Quote(f.Node),
			strconv.Quote(f.Node+"\n"+f.Op), strconv.Quote(f.Reason.String()))
	}
	for _, n := range p.Graph.GetNode() {
		for _, in := range n.GetInput() {
			t, err := graph.ParseTensorName(in)
			if err != nil {
				continue
			}
			style := ""
			if t.Control {
				style = " [style=dashed]"
			}
			ew.printf("  %s -> %s%s;\n", strconv.Quote(t.Node), strconv.Quote(n.GetName()), style)
		}
	}
	ew.printf("}\n")
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
