package freeze

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// use is one input of node n, position i, that names ref.
type use struct {
	n   *tfpb.NodeDef
	i   int
	ref graph.TensorName
}

// uses maps every node name to the inputs that refer to it.
func (s *simplifier) uses() map[string][]use {
	out := make(map[string][]use, len(s.nodes))
	for _, n := range s.nodes {
		for i, in := range n.GetInput() {
			if tn, err := graph.ParseTensorName(in); err == nil {
				out[tn.Node] = append(out[tn.Node], use{n, i, tn})
			}
		}
	}
	return out
}

// pruneSwitches removes the statically dead branch of every Switch whose
// predicate is a constant, as a run would find it dead every time: the
// Switch becomes an Identity of its data, the nodes only the dead output
// feeds go, and each Merge keeps its live inputs (an Identity when one is
// left). A Switch whose dead branch would reach a signature tensor, a
// loop, or a Merge whose value_index is used and still has several live
// inputs is left alone.
func (s *simplifier) pruneSwitches() (bool, error) {
	changed := false
	for _, sw := range slices.Clone(s.nodes) {
		if graph.ControlFlowKind(sw.GetOp()) != "Switch" || s.ix[sw.GetName()] != sw {
			continue
		}
		data := dataInputs(sw)
		if len(data) != 2 {
			continue
		}
		c := s.constSource(data[1])
		if c == nil {
			continue
		}
		t, err := tensor.FromTFProto(c.GetAttr()["value"].GetTensor())
		if err != nil || t.DType() != tensor.Bool || t.NumElements() != 1 {
			continue
		}
		changed = s.pruneSwitch(sw, tensor.Values[bool](t)[0]) || changed
	}
	return changed, nil
}

func (s *simplifier) pruneSwitch(sw *tfpb.NodeDef, pred bool) bool {
	uses := s.uses()
	live := 0
	if pred {
		live = 1
	}
	dead := map[string]bool{}
	deadIn := map[*tfpb.NodeDef]map[int]bool{}
	var queue []string
	ok := true
	deadEdge := func(u use) {
		if graph.ControlFlowKind(u.n.GetOp()) != "Merge" {
			if !dead[u.n.GetName()] {
				dead[u.n.GetName()] = true
				queue = append(queue, u.n.GetName())
			}
			return
		}
		if u.ref.Control {
			ok = false // a Merge waits for its control inputs, dead or not
			return
		}
		if deadIn[u.n] == nil {
			deadIn[u.n] = map[int]bool{}
		}
		deadIn[u.n][u.i] = true
		if len(deadIn[u.n]) == len(dataInputs(u.n)) && !dead[u.n.GetName()] {
			dead[u.n.GetName()] = true
			queue = append(queue, u.n.GetName())
		}
	}
	for _, u := range uses[sw.GetName()] {
		if !u.ref.Control && u.ref.Output == 1-live {
			deadEdge(u)
		}
	}
	for i := 0; i < len(queue) && ok; i++ {
		for _, u := range uses[queue[i]] {
			deadEdge(u)
		}
	}
	for name := range dead {
		kind := graph.ControlFlowKind(s.ix[name].GetOp())
		if s.protected[name] || (kind != "" && kind != "Switch" && kind != "Merge") {
			ok = false
		}
	}
	for m, in := range deadIn {
		if dead[m.GetName()] || len(dataInputs(m))-len(in) == 1 {
			continue
		}
		for _, u := range uses[m.GetName()] {
			if !u.ref.Control && u.ref.Output == 1 {
				ok = false // value_index would change meaning
			}
		}
	}
	if !ok {
		return false
	}

	var kept []*tfpb.NodeDef
	for _, n := range s.nodes {
		if !dead[n.GetName()] {
			kept = append(kept, n)
		}
	}
	for _, u := range uses[sw.GetName()] {
		if !u.ref.Control && u.ref.Output == live {
			u.n.Input[u.i] = sw.GetName()
		}
	}
	sw.Op, sw.Input = "Identity", append([]string{dataInputs(sw)[0]}, controlInputs(sw)...)
	sw.Attr = map[string]*tfpb.AttrValue{"T": sw.GetAttr()["T"]}
	for m, in := range deadIn {
		if dead[m.GetName()] {
			continue
		}
		var liveData []string
		first := -1
		for i, d := range dataInputs(m) {
			if !in[i] {
				liveData = append(liveData, d)
				if first < 0 {
					first = i
				}
			}
		}
		ctrl := controlInputs(m)
		if len(liveData) > 1 {
			m.Input = append(liveData, ctrl...)
			m.Attr["N"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: int64(len(liveData))}}
			continue
		}
		m.Op, m.Input = "Identity", append(liveData, ctrl...)
		m.Attr = map[string]*tfpb.AttrValue{"T": m.GetAttr()["T"]}
		var index *tfpb.NodeDef
		for _, u := range uses[m.GetName()] {
			if u.ref.Control || u.ref.Output != 1 || dead[u.n.GetName()] {
				continue
			}
			if index == nil {
				index = graph.NewNode(m.GetName()+"/value_index", "Const", []string{"^" + m.GetName()},
					map[string]any{"dtype": tensor.Int32, "value": tensor.Scalar(int32(first))})
				kept = append(kept, index)
			}
			u.n.Input[u.i] = index.GetName()
		}
	}
	s.nodes, s.ix = kept, indexNodes(kept)
	return true
}

// bypass removes identities and no-ops from the dataflow: a consumer of
// an Identity (Snapshot, StopGradient, IdentityN, ...) reads its input
// instead, a control edge from it or from a NoOp becomes control edges from
// what it waited for, and a control edge from a Const that has no inputs
// (which always runs) is dropped, as are duplicate control edges and
// control edges from a node already read. Protected nodes, nodes in while
// loops, identities of control-flow outputs (the anchors of cond
// branches), and identities with control inputs that feed a Merge stay.
func (s *simplifier) bypass() (bool, error) {
	frames, err := graph.Frames(s.graph())
	if err != nil {
		return false, nil // leave a graph whose frames are unclear as it is
	}
	uses := s.uses()
	removable := map[string]bool{}
	for _, n := range s.nodes {
		removable[n.GetName()] = s.bypassable(n, frames, uses)
	}
	type resolved struct {
		ref  string
		ctrl []string
	}
	dataMemo := map[string]resolved{}
	ctrlMemo := map[string][]string{}
	var resolveData func(ref string, depth int) (string, []string)
	var resolveControl func(name string, depth int) []string
	resolveControls := func(n *tfpb.NodeDef, depth int) []string {
		var out []string
		for _, c := range controlInputs(n) {
			out = append(out, resolveControl(c[1:], depth+1)...)
		}
		return out
	}
	resolveData = func(ref string, depth int) (string, []string) {
		tn, err := graph.ParseTensorName(ref)
		if err != nil || !removable[tn.Node] || depth > len(s.nodes) {
			return ref, nil
		}
		if r, ok := dataMemo[ref]; ok {
			return r.ref, r.ctrl
		}
		n := s.ix[tn.Node]
		data := dataInputs(n)
		if tn.Output >= len(data) {
			return ref, nil
		}
		r, c := resolveData(data[tn.Output], depth+1)
		c = append(slices.Clone(c), resolveControls(n, depth)...)
		dataMemo[ref] = resolved{r, c}
		return r, c
	}
	resolveControl = func(name string, depth int) []string {
		n := s.ix[name]
		switch {
		case n == nil || depth > len(s.nodes):
			return []string{"^" + name}
		case n.GetOp() == "Const" && len(n.GetInput()) == 0:
			return nil
		case !removable[name]:
			return []string{"^" + name}
		}
		if c, ok := ctrlMemo[name]; ok {
			return c
		}
		var out []string
		for _, in := range dataInputs(n) {
			r, c := resolveData(in, depth+1)
			if tn, err := graph.ParseTensorName(r); err == nil {
				out = append(out, resolveControl(tn.Node, depth+1)...)
			}
			out = append(out, c...)
		}
		out = append(out, resolveControls(n, depth)...)
		ctrlMemo[name] = out
		return out
	}

	changed := false
	for _, n := range s.nodes {
		if removable[n.GetName()] {
			continue
		}
		var data, ctrl []string
		for _, in := range dataInputs(n) {
			r, c := resolveData(in, 0)
			data = append(data, r)
			ctrl = append(ctrl, c...)
		}
		ctrl = append(ctrl, resolveControls(n, 0)...)
		in := append(data, cleanControls(n.GetName(), data, ctrl)...)
		if !slices.Equal(in, n.GetInput()) {
			n.Input = in
			changed = true
		}
	}
	return changed, nil
}

// bypassable reports whether bypass may remove n.
func (s *simplifier) bypassable(n *tfpb.NodeDef, frames *graph.FrameInfo, uses map[string][]use) bool {
	if s.protected[n.GetName()] || frames.InLoop(n.GetName()) {
		return false
	}
	if n.GetOp() == "NoOp" {
		return true
	}
	if !passThrough[n.GetOp()] || n.GetOp() == "RefIdentity" {
		return false
	}
	for _, in := range dataInputs(n) {
		tn, err := graph.ParseTensorName(in)
		if err != nil || s.ix[tn.Node] == nil || graph.ControlFlowKind(s.ix[tn.Node].GetOp()) != "" {
			return false
		}
	}
	if len(controlInputs(n)) > 0 {
		for _, u := range uses[n.GetName()] {
			if graph.ControlFlowKind(u.n.GetOp()) == "Merge" {
				return false
			}
		}
	}
	return true
}

// cleanControls returns ctrl without duplicates, without self-edges, and
// without edges from nodes that data already reads.
func cleanControls(self string, data, ctrl []string) []string {
	skip := map[string]bool{"^" + self: true}
	for _, d := range data {
		if tn, err := graph.ParseTensorName(d); err == nil {
			skip["^"+tn.Node] = true
		}
	}
	var out []string
	for _, c := range ctrl {
		if !skip[c] {
			skip[c] = true
			out = append(out, c)
		}
	}
	return out
}
