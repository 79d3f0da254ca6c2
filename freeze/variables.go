package freeze

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Where a variable's key was found (Variable.Source).
const (
	sourceRestore = "restore graph"
	sourceObjects = "object graph"
	sourceName    = "name"
)

// nodeIndex maps node names to nodes.
type nodeIndex map[string]*tfpb.NodeDef

func indexNodes(nodes []*tfpb.NodeDef) nodeIndex {
	ix := make(nodeIndex, len(nodes))
	for _, n := range nodes {
		ix[n.GetName()] = n
	}
	return ix
}

// passThrough are the ops whose output k is their data input k.
var passThrough = map[string]bool{
	"Identity": true, "IdentityN": true, "RefIdentity": true, "Snapshot": true,
	"StopGradient": true, "PreventGradient": true,
}

// source follows ref back through pass-through nodes (reads of TF1
// variables, function arguments after inlining, IdentityN stand-ins) to
// the node and output that produce it; nil when ref is malformed or names
// a missing node.
func (ix nodeIndex) source(ref string) (*tfpb.NodeDef, int) {
	for range len(ix) + 1 {
		tn, err := graph.ParseTensorName(ref)
		if err != nil || tn.Control {
			return nil, 0
		}
		n := ix[tn.Node]
		if n == nil {
			return nil, 0
		}
		data := dataInputs(n)
		if !passThrough[n.GetOp()] || tn.Output >= len(data) {
			return n, tn.Output
		}
		ref = data[tn.Output]
	}
	return nil, 0 // a cycle of identities
}

// dataInputs returns n's data inputs (those before the control inputs).
func dataInputs(n *tfpb.NodeDef) []string {
	in := n.GetInput()
	for i, s := range in {
		if strings.HasPrefix(s, "^") {
			return in[:i]
		}
	}
	return in
}

// constStrings returns the string values of the Const that ref comes
// from.
func (ix nodeIndex) constStrings(ref string) ([]string, error) {
	n, _ := ix.source(ref)
	if n == nil || n.GetOp() != "Const" {
		return nil, fmt.Errorf("%q is not a constant", ref)
	}
	t, err := tensor.FromTFProto(n.GetAttr()["value"].GetTensor())
	if err != nil {
		return nil, fmt.Errorf("constant %q: %w", n.GetName(), err)
	}
	if t.DType() != tensor.String {
		return nil, fmt.Errorf("constant %q is %v, not string", n.GetName(), t.DType())
	}
	return tensor.Values[string](t), nil
}

// mapVariables finds the checkpoint key of every variable: first through
// the saver's restore op, then through any other saver's restore ops, the
// TF2 object graph, and last the variable's own name. Keys found two ways
// must agree.
func (f *freezer) mapVariables() error {
	scratch := &tfpb.GraphDef{Node: slices.Clone(f.model.Graph.GetNode())}
	root := strings.TrimPrefix(f.model.MetaGraph.GetSaverDef().GetRestoreOpName(), "^")
	if tn, err := graph.ParseTensorName(root); err == nil {
		root = tn.Node
	}
	ix := indexNodes(scratch.Node)
	if n := ix[root]; n != nil {
		if _, _, isCall := function.Callee(n, f.lib); isCall {
			c := proto.CloneOf(n)
			renameFunctions([]*tfpb.NodeDef{c}, f.impls)
			scratch.Node[slices.Index(scratch.Node, n)] = c
			if err := function.Inline(scratch, f.lib, root, f.fopts...); err != nil {
				return fmt.Errorf("freeze: restore op %q: %w", root, err)
			}
			ix = indexNodes(scratch.Node)
		}
		keep, err := reachable(ix, root)
		if err != nil {
			return fmt.Errorf("freeze: restore op %q: %w", root, err)
		}
		for _, n := range scratch.Node {
			if keep[n.GetName()] {
				if err := f.mapAssign(ix, n); err != nil {
					return err
				}
			}
		}
	}
	// Other savers (a Saver made for part of the variables, a second
	// Saver of the same variables).
	for _, n := range scratch.Node {
		if err := f.mapAssign(ix, n); err != nil {
			return err
		}
	}
	if err := f.mapObjects(ix); err != nil {
		return err
	}
	for _, v := range f.report.Variables {
		if v.Key == "" {
			f.mapByName(ix[v.Node])
		}
	}
	for i := range f.report.Variables {
		v := &f.report.Variables[i]
		if v.Key == "" {
			continue
		}
		e, ok := f.ckpt.Entry(v.Key)
		if !ok {
			// Keep the key: the report shows what the graph asked for, and
			// reading the value names the missing tensor.
			continue
		}
		v.DType, v.Shape = e.DType, e.Shape
	}
	return nil
}

// reachable marks the nodes root depends on.
func reachable(ix nodeIndex, root string) (map[string]bool, error) {
	keep := map[string]bool{}
	stack := []string{root}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if keep[name] {
			continue
		}
		n := ix[name]
		if n == nil {
			return nil, fmt.Errorf("%w: %q", graph.ErrMissingNode, name)
		}
		keep[name] = true
		for _, in := range n.GetInput() {
			tn, err := graph.ParseTensorName(in)
			if err != nil {
				return nil, err
			}
			stack = append(stack, tn.Node)
		}
	}
	return keep, nil
}

// restoreOps are the ops that read a checkpoint tensor, with the input
// holding the tensor names and the one holding the slice specs (-1: none).
var restoreOps = map[string][2]int{
	"RestoreV2":    {1, 2},
	"Restore":      {1, -1},
	"RestoreSlice": {1, 2},
}

// mapAssign records the key of the variable that n assigns, when n is an
// assignment of a restored tensor to a variable of the model. Keys already
// found stay; a different key for the same variable is an error.
func (f *freezer) mapAssign(ix nodeIndex, n *tfpb.NodeDef) error {
	if op := n.GetOp(); op != "Assign" && op != "AssignVariableOp" {
		return nil
	}
	data := dataInputs(n)
	if len(data) != 2 {
		return nil
	}
	target, _ := ix.source(data[0])
	if target == nil {
		return nil
	}
	v := f.vars[target.GetName()]
	if v == nil {
		return nil
	}
	r, k := ix.source(data[1])
	if r == nil {
		return nil
	}
	spec, ok := restoreOps[r.GetOp()]
	if !ok {
		return nil
	}
	rin := dataInputs(r)
	if len(rin) <= max(spec[0], spec[1]) {
		return nil
	}
	names, err := ix.constStrings(rin[spec[0]])
	if err != nil || k >= len(names) {
		return nil
	}
	key, slice := names[k], ""
	if spec[1] >= 0 {
		if slices, err := ix.constStrings(rin[spec[1]]); err == nil && k < len(slices) {
			slice = slices[k]
		}
	}
	return f.setKey(v, key, slice, sourceRestore)
}

// setKey records a variable's key, or checks it against the one found
// before.
func (f *freezer) setKey(v *Variable, key, slice, source string) error {
	if v.Key == "" {
		v.Key, v.Slice, v.Source = key, slice, source
		return nil
	}
	if v.Source == source && v.Key != key && source == sourceRestore {
		// Two savers restore the variable from different keys: the first,
		// the model's own saver, wins.
		return nil
	}
	if v.Key != key || v.Slice != slice {
		return &VariableError{Variable: v.Node, Key: v.Key, Err: fmt.Errorf("the %s restores it from key %q%s, but the %s from %q%s",
			v.Source, v.Key, sliceNote(v.Slice), source, key, sliceNote(slice))}
	}
	return nil
}

func sliceNote(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

// mapObjects maps TF2 resource variables through the object graph: a
// signature's function captures variables as its trailing inputs, the
// SavedObjectGraph says which object each capture is (bound_inputs), and
// the checkpoint's object graph, matched to the SavedObjectGraph from the
// root by child names as TensorFlow's restore matches them, gives that
// object's key.
func (f *freezer) mapObjects(ix nodeIndex) error {
	sog := f.model.MetaGraph.GetObjectGraphDef()
	if sog == nil {
		return nil
	}
	tog, err := f.ckpt.ObjectGraph()
	if errors.Is(err, checkpoint.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	keys := objectKeys(sog, tog)
	for _, n := range f.model.Graph.GetNode() {
		fname, _, ok := function.Callee(n, f.lib)
		if !ok {
			continue
		}
		bound := sog.GetConcreteFunctions()[fname].GetBoundInputs()
		data := dataInputs(n)
		off := len(data) - len(bound)
		if len(bound) == 0 || off < 0 {
			continue
		}
		for j, id := range bound {
			src, _ := ix.source(data[off+j])
			if src == nil || f.vars[src.GetName()] == nil || keys[id] == "" {
				continue
			}
			if err := f.setKey(f.vars[src.GetName()], keys[id], "", sourceObjects); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectKeys gives the checkpoint key of each variable object of a
// SavedObjectGraph, matching its objects to the checkpoint's
// TrackableObjectGraph from the roots by child names.
func objectKeys(sog *tfpb.SavedObjectGraph, tog *tfpb.TrackableObjectGraph) map[int32]string {
	saved, stored := sog.GetNodes(), tog.GetNodes()
	keys := map[int32]string{}
	if len(saved) == 0 || len(stored) == 0 {
		return keys
	}
	seen := map[int32]bool{0: true}
	queue := [][2]int32{{0, 0}}
	for i := 0; i < len(queue); i++ {
		s, c := queue[i][0], queue[i][1]
		if saved[s].GetVariable() != nil {
			for _, a := range stored[c].GetAttributes() {
				if a.GetName() == "VARIABLE_VALUE" {
					keys[s] = a.GetCheckpointKey()
				}
			}
		}
		children := map[string]int32{}
		for _, ch := range stored[c].GetChildren() {
			children[ch.GetLocalName()] = ch.GetNodeId()
		}
		for _, ch := range saved[s].GetChildren() {
			sid := ch.GetNodeId()
			cid, ok := children[ch.GetLocalName()]
			if !ok || seen[sid] || sid < 0 || int(sid) >= len(saved) || cid < 0 || int(cid) >= len(stored) {
				continue
			}
			seen[sid] = true
			queue = append(queue, [2]int32{sid, cid})
		}
	}
	return keys
}

// mapByName maps a variable to the checkpoint key equal to its name (TF1
// savers' default) or its resource's shared_name, when there is one.
func (f *freezer) mapByName(n *tfpb.NodeDef) {
	v := f.vars[n.GetName()]
	for _, key := range []string{n.GetName(), string(n.GetAttr()["shared_name"].GetS())} {
		if _, ok := f.ckpt.Entry(key); key != "" && ok {
			v.Key, v.Source = key, sourceName
			return
		}
	}
}
