package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// ErrCycle reports a cycle that is not a TF1 loop back-edge.
var ErrCycle = errors.New("graph: cycle")

// ErrMissingNode reports a reference to a node the graph does not have.
var ErrMissingNode = errors.New("graph: no such node")

// Index is a GraphDef with name lookup and parsed inputs. It does not copy
// the graph; build a new Index after changing it.
type Index struct {
	// Graph is the indexed graph, shared with the caller.
	Graph  *tfpb.GraphDef
	byName map[string]int
	inputs [][]TensorName
}

// NewIndex indexes g. Duplicate node names and malformed input strings are
// errors; inputs naming absent nodes are reported by the functions that
// follow edges (TopoSort, Prune), since pruning may drop them.
func NewIndex(g *tfpb.GraphDef) (*Index, error) {
	ix := &Index{Graph: g, byName: make(map[string]int, len(g.GetNode())), inputs: make([][]TensorName, len(g.GetNode()))}
	for i, n := range g.GetNode() {
		if n.GetName() == "" {
			return nil, fmt.Errorf("graph: node %d (%s) has no name", i, n.GetOp())
		}
		if _, dup := ix.byName[n.GetName()]; dup {
			return nil, fmt.Errorf("graph: two nodes are named %q", n.GetName())
		}
		ix.byName[n.GetName()] = i
		ins := make([]TensorName, len(n.GetInput()))
		for j, s := range n.GetInput() {
			t, err := ParseTensorName(s)
			if err != nil {
				return nil, fmt.Errorf("graph: node %q input %d: %w", n.GetName(), j, err)
			}
			ins[j] = t
		}
		ix.inputs[i] = ins
	}
	return ix, nil
}

// Node returns the node called name, or nil.
func (ix *Index) Node(name string) *tfpb.NodeDef {
	if i, ok := ix.byName[name]; ok {
		return ix.Graph.Node[i]
	}
	return nil
}

// Position returns the index of the named node in Graph.Node, or -1.
func (ix *Index) Position(name string) int {
	if i, ok := ix.byName[name]; ok {
		return i
	}
	return -1
}

// Inputs returns the parsed inputs of the node at position i.
func (ix *Index) Inputs(i int) []TensorName { return ix.inputs[i] }

// IsBackEdgeSource reports whether op's outputs close a TF1 loop: the edge
// from a NextIteration node back to its Merge.
func IsBackEdgeSource(op string) bool { return op == "NextIteration" || op == "RefNextIteration" }

// TopoSort returns the nodes of g so that every node comes after its data
// and control inputs, ignoring the back-edges of TF1 while loops (edges out
// of NextIteration). Among nodes that are ready together, graph order wins,
// so the result is deterministic. Any other cycle is an ErrCycle naming the
// nodes on it in edge order, starting from the one first in the graph
// ("graph: cycle: a -> b -> a").
func TopoSort(g *tfpb.GraphDef) ([]*tfpb.NodeDef, error) {
	ix, err := NewIndex(g)
	if err != nil {
		return nil, err
	}
	order, err := ix.topoPositions()
	if err != nil {
		return nil, err
	}
	out := make([]*tfpb.NodeDef, len(order))
	for i, p := range order {
		out[i] = g.Node[p]
	}
	return out, nil
}

func (ix *Index) topoPositions() ([]int, error) {
	nodes := ix.Graph.GetNode()
	indeg := make([]int, len(nodes))
	consumers := make([][]int, len(nodes))
	for i := range nodes {
		for _, in := range ix.inputs[i] {
			p, ok := ix.byName[in.Node]
			if !ok {
				return nil, fmt.Errorf("%w: node %q has input %q", ErrMissingNode, nodes[i].GetName(), in)
			}
			if IsBackEdgeSource(nodes[p].GetOp()) {
				continue
			}
			indeg[i]++
			consumers[p] = append(consumers[p], i)
		}
	}
	order := make([]int, 0, len(nodes))
	for i := range nodes {
		if indeg[i] == 0 {
			order = append(order, i)
		}
	}
	for head := 0; head < len(order); head++ {
		for _, c := range consumers[order[head]] {
			if indeg[c]--; indeg[c] == 0 {
				order = append(order, c)
			}
		}
	}
	if len(order) < len(nodes) {
		return nil, ix.describeCycle(indeg)
	}
	return order, nil
}

// describeCycle finds one cycle among the nodes left with inputs pending.
func (ix *Index) describeCycle(indeg []int) error {
	nodes := ix.Graph.GetNode()
	start := slices.IndexFunc(indeg, func(d int) bool { return d > 0 })
	// Walk backwards along pending inputs until a node repeats.
	seen := map[int]int{}
	var path []int
	cur := start
	for {
		if at, ok := seen[cur]; ok {
			// path runs against the edges; reverse it, then rotate it to
			// start at the node that comes first in the graph, so the
			// message does not depend on where the walk began.
			cyc := slices.Clone(path[at:])
			slices.Reverse(cyc)
			first := slices.Index(cyc, slices.Min(cyc))
			cyc = append(cyc[first:], cyc[:first]...)
			names := make([]string, 0, len(cyc)+1)
			for _, p := range cyc {
				names = append(names, nodes[p].GetName())
			}
			names = append(names, names[0])
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(names, " -> "))
		}
		seen[cur] = len(path)
		path = append(path, cur)
		next := -1
		for _, in := range ix.inputs[cur] {
			p := ix.byName[in.Node]
			if indeg[p] > 0 && !IsBackEdgeSource(nodes[p].GetOp()) {
				next = p
				break
			}
		}
		if next < 0 {
			return fmt.Errorf("%w: involving node %q", ErrCycle, nodes[start].GetName())
		}
		cur = next
	}
}

// Prune returns a copy of g (sharing NodeDefs) that keeps only the nodes
// the targets depend on, through data and control inputs, in their original
// order. Targets are tensor or node names ("y", "y:1", "^init"). The
// function library and versions are kept.
func Prune(g *tfpb.GraphDef, targets []string) (*tfpb.GraphDef, error) {
	ix, err := NewIndex(g)
	if err != nil {
		return nil, err
	}
	keep, err := ix.Reachable(targets)
	if err != nil {
		return nil, err
	}
	out := &tfpb.GraphDef{Versions: g.GetVersions(), Library: g.GetLibrary(), Version: g.GetVersion()}
	for i, n := range g.GetNode() {
		if keep[i] {
			out.Node = append(out.Node, n)
		}
	}
	return out, nil
}

// Reachable marks, by position, the nodes that the targets depend on
// (targets included).
func (ix *Index) Reachable(targets []string) ([]bool, error) { return ix.reachableFed(targets, nil) }

// reachableFed is Reachable when the tensors in fed (canonical names) are
// fed: the nodes that compute only them are not needed for them.
func (ix *Index) reachableFed(targets []string, fed map[string]bool) ([]bool, error) {
	keep := make([]bool, len(ix.Graph.GetNode()))
	var stack []int
	for _, t := range targets {
		tn, err := ParseTensorName(t)
		if err != nil {
			return nil, err
		}
		p, ok := ix.byName[tn.Node]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrMissingNode, tn.Node)
		}
		stack = append(stack, p)
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if keep[p] {
			continue
		}
		keep[p] = true
		for _, in := range ix.inputs[p] {
			if fed[in.Canonical()] {
				continue
			}
			q, ok := ix.byName[in.Node]
			if !ok {
				return nil, fmt.Errorf("%w: node %q has input %q", ErrMissingNode, ix.Graph.Node[p].GetName(), in)
			}
			stack = append(stack, q)
		}
	}
	return keep, nil
}
