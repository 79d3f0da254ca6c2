package freeze

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels" // the folder's kernels
)

// maxRounds bounds the simplification rounds; each round that changes
// nothing ends them, and real graphs settle in two or three.
const maxRounds = 32

// simplifier makes a frozen graph small: training flags take their
// defaults, constants fold, statically dead branches go, identities and
// no-ops are bypassed. Protected nodes (a signature's inputs and outputs)
// keep their names and outputs.
type simplifier struct {
	nodes     []*tfpb.NodeDef
	ix        nodeIndex
	targets   []string
	protected map[string]bool
	feeds     map[string]bool
	ratio     int
	versions  *tfpb.VersionDef
}

func newSimplifier(g *tfpb.GraphDef, outputs, inputs []string, ratio int) *simplifier {
	s := &simplifier{nodes: g.GetNode(), protected: map[string]bool{}, feeds: map[string]bool{}, ratio: ratio, versions: g.GetVersions()}
	for _, t := range outputs {
		if tn, err := graph.ParseTensorName(t); err == nil {
			s.protected[tn.Node] = true
		}
	}
	for _, t := range inputs {
		if tn, err := graph.ParseTensorName(t); err == nil {
			s.protected[tn.Node] = true
			s.feeds[tn.Node] = true
		}
	}
	s.targets = append(append(s.targets, outputs...), inputs...)
	s.ix = indexNodes(s.nodes)
	return s
}

func (s *simplifier) graph() *tfpb.GraphDef {
	return &tfpb.GraphDef{Node: s.nodes, Versions: s.versions}
}

// passes are the simplifications of one round, in order.
var passes = []struct {
	name string
	run  func(*simplifier) (bool, error)
}{
	{"fold constants", (*simplifier).fold},
	{"prune dead branches", (*simplifier).pruneSwitches},
	{"bypass identities", (*simplifier).bypass},
	{"prune", (*simplifier).prune},
}

func (s *simplifier) run() error {
	s.defaultPlaceholders()
	for range maxRounds {
		changed := false
		for _, p := range passes {
			c, err := p.run(s)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			changed = changed || c
		}
		if !changed {
			return nil
		}
	}
	return nil
}

// defaultPlaceholders makes every PlaceholderWithDefault the signature
// does not feed (keras_learning_phase, training flags, dropout keep
// probabilities) an Identity of its default.
func (s *simplifier) defaultPlaceholders() {
	for _, n := range s.nodes {
		if n.GetOp() == "PlaceholderWithDefault" && !s.feeds[n.GetName()] {
			dt := n.GetAttr()["dtype"]
			n.Op, n.Attr = "Identity", map[string]*tfpb.AttrValue{"T": dt}
		}
	}
}

func (s *simplifier) prune() (bool, error) {
	g, err := graph.Prune(s.graph(), s.targets)
	if err != nil {
		return false, err
	}
	changed := len(g.Node) != len(s.nodes)
	s.nodes, s.ix = g.Node, indexNodes(g.Node)
	return changed, nil
}

// constSource returns the Const node ref reads, following identities
// without control inputs, or nil.
func (s *simplifier) constSource(ref string) *tfpb.NodeDef {
	for range len(s.nodes) + 1 {
		tn, err := graph.ParseTensorName(ref)
		if err != nil || tn.Control {
			return nil
		}
		n := s.ix[tn.Node]
		switch {
		case n == nil:
			return nil
		case n.GetOp() == "Const" && tn.Output == 0:
			return n
		case n.GetOp() != "Identity" || len(n.GetInput()) != 1:
			return nil
		}
		ref = n.GetInput()[0]
	}
	return nil
}

// noFold are ops constant folding leaves alone: sources, control flow,
// identities (bypass handles them without copying values) and calls.
var noFold = map[string]bool{
	"Const": true, "Placeholder": true, "PlaceholderWithDefault": true, "NoOp": true, "ControlTrigger": true,
	"If": true, "StatelessIf": true, "While": true, "StatelessWhile": true, "Case": true, "StatelessCase": true,
	"PartitionedCall": true, "StatefulPartitionedCall": true,
}

func (s *simplifier) foldable(n *tfpb.NodeDef) bool {
	op := n.GetOp()
	if noFold[op] || passThrough[op] || graph.ControlFlowKind(op) != "" || graph.IsVariableOp(op) || len(dataInputs(n)) == 0 {
		return false
	}
	sig, ok := opdefs.SignatureOf(op)
	if !ok || sig.Stateful {
		return false
	}
	_, ok = kernel.Lookup(op)
	return ok
}

// fold evaluates, with the executor, every foldable node whose inputs are
// all constants, within the size bound, and selects between constant
// branches of Select.
func (s *simplifier) fold() (bool, error) {
	order, err := graph.TopoSort(s.graph())
	if err != nil {
		return false, err
	}
	changed := false
	for _, n := range order {
		if n.GetOp() == "Select" || n.GetOp() == "SelectV2" {
			changed = s.foldSelect(n) || changed
			continue
		}
		if s.ratio <= 0 || !s.foldable(n) {
			continue
		}
		ok, err := s.foldNode(n)
		if err != nil {
			return changed, err
		}
		changed = changed || ok
	}
	return changed, nil
}

// constControls returns the control inputs of the given constants and of
// n, without duplicates: a folded value keeps every dependency its inputs
// had, so a constant inside a cond branch stays in it.
func constControls(n *tfpb.NodeDef, consts []*tfpb.NodeDef) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range append(consts, n) {
		for _, in := range controlInputs(c) {
			if !seen[in] {
				seen[in] = true
				out = append(out, in)
			}
		}
	}
	return out
}

// foldSelect replaces Select(c, t, e) by an Identity of t or e when c is
// a constant that is all true or all false (for SelectV2, a scalar one).
func (s *simplifier) foldSelect(n *tfpb.NodeDef) bool {
	data := dataInputs(n)
	if len(data) != 3 {
		return false
	}
	c := s.constSource(data[0])
	if c == nil {
		return false
	}
	t, err := tensor.FromTFProto(c.GetAttr()["value"].GetTensor())
	if err != nil || t.DType() != tensor.Bool || t.NumElements() == 0 || (n.GetOp() == "SelectV2" && t.Rank() != 0) {
		return false
	}
	vals := tensor.Values[bool](t)
	for _, v := range vals {
		if v != vals[0] {
			return false
		}
	}
	pick := data[2]
	if vals[0] {
		pick = data[1]
	}
	n.Input = append([]string{pick}, constControls(n, []*tfpb.NodeDef{c})...)
	n.Op, n.Attr = "Identity", map[string]*tfpb.AttrValue{"T": n.GetAttr()["T"]}
	return true
}

// foldNode evaluates n when its inputs are constants and replaces it by
// constants: itself, for one output; "n/_folded_k" for output k of
// several, unless n is protected.
func (s *simplifier) foldNode(n *tfpb.NodeDef) (bool, error) {
	data := dataInputs(n)
	consts := make([]*tfpb.NodeDef, len(data))
	inBytes := int64(0)
	seen := map[string]bool{}
	for i, in := range data {
		if consts[i] = s.constSource(in); consts[i] == nil {
			return false, nil
		}
		if !seen[consts[i].GetName()] {
			seen[consts[i].GetName()] = true
			inBytes += graph.TensorProtoBytes(consts[i].GetAttr()["value"].GetTensor())
		}
	}
	if !withinBudget(n, consts) {
		return false, nil
	}
	sig, _ := opdefs.SignatureOf(n.GetOp())
	nout, err := sig.NumOutputs(sig.FillDefaults(n.GetAttr()))
	if err != nil || nout == 0 || (nout > 1 && s.protected[n.GetName()]) {
		return false, nil
	}
	outs := evaluate(n, consts, nout)
	if outs == nil {
		return false, nil
	}
	outBytes := int64(0)
	for _, p := range outs {
		outBytes += graph.TensorProtoBytes(p)
	}
	if outBytes > SmallConstBytes && outBytes > int64(s.ratio)*inBytes {
		return false, nil
	}
	ctrl := constControls(n, consts)
	newConst := func(name string, p *tfpb.TensorProto) *tfpb.NodeDef {
		return &tfpb.NodeDef{Name: name, Op: "Const", Input: ctrl, Device: n.GetDevice(), Attr: map[string]*tfpb.AttrValue{
			"dtype": typeAttr(p.GetDtype()), "value": {Value: &tfpb.AttrValue_Tensor{Tensor: p}},
		}}
	}
	if nout == 1 {
		*n = *newConst(n.GetName(), outs[0])
		return true, nil
	}
	rename := map[string]string{}
	for k, p := range outs {
		name := n.GetName() + "/_folded_" + strconv.Itoa(k)
		if s.ix[name] != nil {
			return false, nil
		}
		c := newConst(name, p)
		s.nodes = append(s.nodes, c)
		s.ix[name] = c
		rename[graph.TensorName{Node: n.GetName(), Output: k}.String()] = name
	}
	rename["^"+n.GetName()] = "^" + n.GetName() + "/_folded_0"
	for _, m := range s.nodes {
		for i, in := range m.GetInput() {
			if tn, err := graph.ParseTensorName(in); err == nil {
				if to, ok := rename[tn.String()]; ok {
					m.Input[i] = to
				}
			}
		}
	}
	return true, nil
}

// maxFoldElements bounds what folding may compute: the product of the
// input sizes (and, for an op whose output shape comes from input values,
// of those values), which bounds the elements of any output — broadcasting
// included — so that a model cannot make the folder allocate without
// limit.
const maxFoldElements = 1 << 24

// withinBudget reports whether folding n on the constants stays within
// maxFoldElements.
func withinBudget(n *tfpb.NodeDef, consts []*tfpb.NodeDef) bool {
	bound := 1.0
	for _, c := range consts {
		dims, _ := graph.ShapeDims(c.GetAttr()["value"].GetTensor().GetTensorShape())
		for _, d := range dims {
			bound *= float64(max(d, 1))
		}
	}
	if bound > maxFoldElements {
		return false
	}
	for _, i := range opdefs.ShapeInputIndices(n) {
		t, err := tensor.FromTFProto(consts[i].GetAttr()["value"].GetTensor())
		if err != nil {
			return false
		}
		vals, err := tensor.Float64s(t)
		if err != nil {
			return false
		}
		for _, v := range vals {
			bound *= max(math.Abs(v), 1)
		}
	}
	if n.GetOp() == "Range" && len(consts) == 3 {
		var v [3]float64
		for i, c := range consts {
			t, err := tensor.FromTFProto(c.GetAttr()["value"].GetTensor())
			if err != nil || t.NumElements() != 1 {
				return false
			}
			f, err := tensor.Float64s(t)
			if err != nil {
				return false
			}
			v[i] = f[0]
		}
		if v[2] == 0 {
			return false
		}
		bound = math.Abs(v[1]-v[0]) / math.Abs(v[2])
	}
	return bound <= maxFoldElements
}

// evaluate runs n on the constants' values and returns its outputs as
// TensorProtos, or nil when the executor cannot (an unsupported attribute,
// an error in the kernel, an output with no TensorProto form): then the
// node is left to run at run time, as TensorFlow's folder leaves it.
func evaluate(n *tfpb.NodeDef, consts []*tfpb.NodeDef, nout int) []*tfpb.TensorProto {
	g := &tfpb.GraphDef{}
	names := map[string]string{}
	for _, c := range consts {
		if _, ok := names[c.GetName()]; ok {
			continue
		}
		names[c.GetName()] = "c" + strconv.Itoa(len(names))
		g.Node = append(g.Node, &tfpb.NodeDef{Name: names[c.GetName()], Op: "Const", Attr: c.GetAttr()})
	}
	node := &tfpb.NodeDef{Name: "n", Op: n.GetOp(), Attr: n.GetAttr()}
	for _, c := range consts {
		node.Input = append(node.Input, names[c.GetName()])
	}
	g.Node = append(g.Node, node)
	e, err := tfexec.New(g)
	if err != nil {
		return nil
	}
	fetches := make([]string, nout)
	for k := range fetches {
		fetches[k] = "n:" + strconv.Itoa(k)
	}
	vals, err := e.Run(context.Background(), nil, fetches)
	if err != nil {
		return nil
	}
	out := make([]*tfpb.TensorProto, nout)
	for k, v := range vals {
		if out[k], err = tensor.ToTFProto(v); err != nil || v.DType() == tensor.Resource || v.DType() == tensor.Variant {
			return nil
		}
	}
	return out
}
