package clusters

import (
	"fmt"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
)

// Cluster is a group of nodes offloaded together: the partitioner forms
// it, [Translate] turns it into one ONNX model, and [Encapsulate] replaces
// it by one node.
type Cluster struct {
	// ID numbers the cluster within its plan (by the topological position
	// of its first node); it names the cluster and its node.
	ID    int
	Nodes []*tfpb.NodeDef // in topological order
	// Inputs are the tensors entering the cluster and Outputs those used
	// outside it (or required as outputs), as canonical names ("node:0").
	Inputs  []string
	Outputs []string
}

// Name returns "cluster_<ID>".
func (cl *Cluster) Name() string { return fmt.Sprintf("cluster_%d", cl.ID) }

// NodeNames returns the names of the cluster's nodes, in order.
func (cl *Cluster) NodeNames() []string {
	names := make([]string, len(cl.Nodes))
	for i, n := range cl.Nodes {
		names[i] = n.GetName()
	}
	return names
}

// NonTrivial counts the cluster's nodes that compute something (see
// opdefs.IsTrivial).
func (cl *Cluster) NonTrivial() int {
	k := 0
	for _, n := range cl.Nodes {
		if !opdefs.IsTrivial(n.GetOp()) {
			k++
		}
	}
	return k
}

// OpCounts counts the cluster's nodes by op type.
func (cl *Cluster) OpCounts() map[string]int {
	ops := map[string]int{}
	for _, n := range cl.Nodes {
		ops[n.GetOp()]++
	}
	return ops
}

// Subgraph returns a GraphDef that computes the cluster alone: its nodes,
// without control inputs from outside, and a NoOp stand-in for each
// outside node whose outputs enter the cluster (those outputs are fed).
func (cl *Cluster) Subgraph() *tfpb.GraphDef {
	inside := make(map[string]bool, len(cl.Nodes))
	for _, n := range cl.Nodes {
		inside[n.GetName()] = true
	}
	g := &tfpb.GraphDef{}
	stubs := map[string]bool{}
	for _, in := range cl.Inputs {
		node := graph.MustParseTensorName(in).Node
		if !inside[node] && !stubs[node] {
			stubs[node] = true
			g.Node = append(g.Node, &tfpb.NodeDef{Name: node, Op: "NoOp"})
		}
	}
	for _, n := range cl.Nodes {
		c := &tfpb.NodeDef{Name: n.GetName(), Op: n.GetOp(), Attr: n.GetAttr(), Device: n.GetDevice()}
		for _, in := range n.GetInput() {
			if strings.HasPrefix(in, "^") && !inside[in[1:]] {
				continue
			}
			c.Input = append(c.Input, in)
		}
		g.Node = append(g.Node, c)
	}
	return g
}

// StaticInputs marks the cluster inputs that some node of the cluster
// needs as a compile-time constant (opdefs.StaticInputs).
func (cl *Cluster) StaticInputs() []bool {
	pos := make(map[string]int, len(cl.Inputs))
	for i, t := range cl.Inputs {
		pos[t] = i
	}
	static := make([]bool, len(cl.Inputs))
	for _, n := range cl.Nodes {
		var data []string
		for _, in := range n.GetInput() {
			if t, err := graph.ParseTensorName(in); err == nil && !t.Control {
				data = append(data, t.Canonical())
			}
		}
		for _, k := range opdefs.StaticInputs(n) {
			if k >= len(data) {
				continue // an input name that does not parse; the executor reports it
			}
			if i, ok := pos[data[k]]; ok {
				static[i] = true
			}
		}
	}
	return static
}
