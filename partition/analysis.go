package partition

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
)

// deadnessPredicates gives every node the condition under which its
// outputs are live, as a conjunction of literals ("pred:0=T") sorted and
// joined by "&"; "" is always. Only nodes with equal predicates may share
// a cluster: a cluster runs all or nothing.
//
// A Switch's outputs add the literal of their branch. A Merge's output is
// the disjunction of its inputs, simplified when two inputs differ only
// in one complementary literal (the two branches of a cond), and opaque
// otherwise. An Exit is live when its loop was entered live.
func deadnessPredicates(g *tfpb.GraphDef, ix *graph.Index, order []int) []string {
	nodes := g.GetNode()
	out := make(map[string]string, len(nodes)) // tensor (canonical) → predicate
	nodePred := make([]string, len(nodes))
	frameOuter := map[string]string{} // loop frame → predicate of its inputs
	frames, _ := graph.Frames(g)
	for _, i := range order {
		n := nodes[i]
		var lits []string
		var inPreds []string
		for _, in := range ix.Inputs(i) {
			p := out[in.Canonical()]
			if in.Control {
				p = nodePred[ix.Position(in.Node)]
			}
			inPreds = append(inPreds, p)
			lits = append(lits, splitPred(p)...)
		}
		pred := joinPred(lits)
		nodePred[i] = pred
		name := n.GetName()
		set := func(k int, p string) { out[graph.TensorName{Node: name, Output: k}.Canonical()] = p }
		switch graph.ControlFlowKind(n.GetOp()) {
		case "Switch":
			ins := ix.Inputs(i)
			cond := ""
			if len(ins) > 1 {
				cond = ins[1].Canonical()
			}
			set(0, joinPred(append(slices.Clone(lits), cond+"=F")))
			set(1, joinPred(append(slices.Clone(lits), cond+"=T")))
			continue
		case "Merge":
			var data []string
			for k, in := range ix.Inputs(i) {
				if !in.Control {
					data = append(data, inPreds[k])
				}
			}
			pred = mergePred(name, data)
			nodePred[i] = pred
		case "Enter":
			if frames != nil {
				child, _ := graph.AttrsOf(n).String("frame_name", "")
				frameOuter[child] = joinPred(append(splitPred(frameOuter[child]), lits...))
			}
			pred = "loop(" + name + ")"
		case "Exit":
			if frames != nil {
				pred = frameOuter[frames.Frame[name]]
			}
			nodePred[i] = pred
		}
		for k := 0; k < 8; k++ { // outputs beyond the used ones don't matter
			set(k, pred)
		}
	}
	return nodePred
}

func splitPred(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "&")
}

func joinPred(lits []string) string {
	slices.Sort(lits)
	return strings.Join(slices.Compact(lits), "&")
}

// mergePred is the predicate of a Merge of inputs with the given
// predicates.
func mergePred(name string, preds []string) string {
	if len(preds) == 0 {
		return ""
	}
	first := preds[0]
	same := true
	for _, p := range preds[1:] {
		same = same && p == first
	}
	if same {
		return first
	}
	if len(preds) == 2 {
		a, b := splitPred(preds[0]), splitPred(preds[1])
		if len(a) == len(b) {
			var onlyA, onlyB []string
			for _, l := range a {
				if !slices.Contains(b, l) {
					onlyA = append(onlyA, l)
				}
			}
			for _, l := range b {
				if !slices.Contains(a, l) {
					onlyB = append(onlyB, l)
				}
			}
			if len(onlyA) == 1 && len(onlyB) == 1 && complementary(onlyA[0], onlyB[0]) {
				common := slices.DeleteFunc(a, func(l string) bool { return l == onlyA[0] })
				return joinPred(common)
			}
		}
	}
	return "merge(" + name + ")"
}

func complementary(a, b string) bool {
	return len(a) == len(b) && a[:len(a)-1] == b[:len(b)-1] && a[len(a)-1] != b[len(b)-1] &&
		strings.HasSuffix(a[:len(a)-1], "=") && strings.ContainsAny(a[len(a)-1:], "TF")
}

// staticDerivable marks the nodes whose outputs are known when a cluster
// holding them compiles (opdefs.Analyze over the candidates): constants,
// shapes fixed by the cluster's input shapes, and offloadable ops computed
// only from those. A Const that is not a candidate is known too.
func (s *state) staticDerivable() map[string]bool {
	var region []*tfpb.NodeDef
	for _, i := range s.order {
		if s.candidate[i] {
			region = append(region, s.g.Node[i])
		}
	}
	isConst := func(node string) bool {
		p := s.ix.Position(node)
		return p >= 0 && s.g.Node[p].GetOp() == "Const"
	}
	known := opdefs.Analyze(region, func(t graph.TensorName) bool { return isConst(t.Node) })
	for _, n := range s.g.GetNode() {
		if isConst(n.GetName()) {
			known.Value[n.GetName()] = true
		}
	}
	return known.Value
}

// outputGroups says, for every node, which output groups need it: the
// indices of the groups whose outputs depend on it (through data or
// control edges), joined by ","; "" when there is at most one group.
func outputGroups(g *tfpb.GraphDef, ix *graph.Index, groups [][]string) ([]string, error) {
	out := make([]string, len(g.GetNode()))
	if len(groups) < 2 {
		return out, nil
	}
	for k, outputs := range groups {
		seen := make([]bool, len(out))
		var stack []int
		for _, o := range outputs {
			t, err := graph.ParseTensorName(o)
			if err != nil {
				return nil, fmt.Errorf("output group %d: %w", k, err)
			}
			if p := ix.Position(t.Node); p >= 0 {
				stack = append(stack, p)
			}
		}
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[p] {
				continue
			}
			seen[p] = true
			if out[p] != "" {
				out[p] += ","
			}
			out[p] += strconv.Itoa(k)
			for _, in := range ix.Inputs(p) {
				if q := ix.Position(in.Node); q >= 0 && !seen[q] {
					stack = append(stack, q)
				}
			}
		}
	}
	return out, nil
}
