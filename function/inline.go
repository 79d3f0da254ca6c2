package function

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// maxDepth bounds how deeply calls nest; deeper means a recursion the
// stack check did not catch or a malicious library.
const maxDepth = 256

// Callee returns the function node n calls and the attribute values of
// the call: the "f" attribute of a PartitionedCall or
// StatefulPartitionedCall, or n's op when it names a library function.
// ok is false when n calls nothing.
func Callee(n *tfpb.NodeDef, lib *tfpb.FunctionDefLibrary) (name string, attrs map[string]*tfpb.AttrValue, ok bool) {
	return newLibrary(lib, nil).callee(n)
}

func isCallOp(op string) bool { return op == "PartitionedCall" || op == "StatefulPartitionedCall" }

// callee is Callee over the indexed library.
func (l *library) callee(n *tfpb.NodeDef) (string, map[string]*tfpb.AttrValue, bool) {
	if isCallOp(n.GetOp()) {
		f := n.GetAttr()["f"].GetFunc()
		if f == nil {
			return "", nil, false
		}
		return f.GetName(), f.GetAttr(), true
	}
	if _, ok := l.funcs[n.GetOp()]; ok {
		return n.GetOp(), n.GetAttr(), true
	}
	return "", nil, false
}

// Inline replaces the node callNode of g, which must call a function of
// lib, by the function's body, and inlines the calls inside that body in
// turn. g is changed in place; on error it is left unchanged. See the
// package documentation for the naming and the control semantics.
func Inline(g *tfpb.GraphDef, lib *tfpb.FunctionDefLibrary, callNode string, opts ...Option) error {
	l := newLibrary(lib, opts)
	pos := -1
	names := make(map[string]bool, len(g.GetNode()))
	for i, n := range g.GetNode() {
		names[n.GetName()] = true
		if n.GetName() == callNode {
			pos = i
		}
	}
	if pos < 0 {
		return fmt.Errorf("inline %q: no such node", callNode)
	}
	nodes, err := l.inline(g.Node[pos], names, nil)
	if err != nil {
		return err
	}
	g.Node = slices.Concat(g.Node[:pos:pos], nodes, g.Node[pos+1:])
	return nil
}

// inline returns the nodes that replace call: the instantiated body,
// renamed under the call's name and with its own calls inlined, and the
// call's stand-in. names holds every node name in use and receives the
// new ones; stack lists the functions being inlined, outermost first.
func (l *library) inline(call *tfpb.NodeDef, names map[string]bool, stack []string) ([]*tfpb.NodeDef, error) {
	fname, attrs, ok := l.callee(call)
	if !ok {
		return nil, fmt.Errorf("inline %q (%s): %w", call.GetName(), call.GetOp(), ErrNotCall)
	}
	if slices.Contains(stack, fname) {
		return nil, fmt.Errorf("inline %q: function %s calls itself (%s)", call.GetName(), fname, strings.Join(append(stack, fname), " → "))
	}
	if len(stack) >= maxDepth {
		return nil, fmt.Errorf("inline %q: calls nest deeper than %d", call.GetName(), maxDepth)
	}
	body, err := l.instantiate(fname, attrs)
	if err != nil {
		return nil, fmt.Errorf("inline %q: %w", call.GetName(), err)
	}
	var data, control []string
	for _, in := range call.GetInput() {
		if strings.HasPrefix(in, "^") {
			control = append(control, in)
		} else {
			data = append(data, in)
		}
	}
	if len(data) != len(body.Args) {
		return nil, fmt.Errorf("inline %q: function %s takes %d argument tensor(s), the call gives %d", call.GetName(), fname, len(body.Args), len(data))
	}

	prefix := call.GetName() + "/"
	var out []*tfpb.NodeDef
	claim := func(name string) error {
		if names[name] {
			return fmt.Errorf("inline %q: the body's node %q clashes with a node of the graph", call.GetName(), name)
		}
		names[name] = true
		return nil
	}
	add := func(n *tfpb.NodeDef) error {
		if err := claim(n.GetName()); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	}
	var gate string
	if len(control) > 0 {
		gate = prefix + "input_control_node"
		if err := add(&tfpb.NodeDef{Name: gate, Op: "NoOp", Input: control, Device: call.GetDevice()}); err != nil {
			return nil, err
		}
	}
	args := make(map[string]bool, len(body.Args))
	for i, a := range body.Args {
		args[a] = true
		n := &tfpb.NodeDef{Name: prefix + a, Op: "Identity", Input: []string{data[i]}, Device: call.GetDevice(),
			Attr: map[string]*tfpb.AttrValue{"T": {Value: &tfpb.AttrValue_Type{Type: body.ArgTypes[i]}}}}
		if gate != "" {
			n.Input = append(n.Input, "^"+gate)
		}
		if err := add(n); err != nil {
			return nil, err
		}
	}
	for _, n := range body.Nodes {
		if args[n.GetName()] {
			continue
		}
		n.Name = prefix + n.GetName()
		for i, in := range n.Input {
			if strings.HasPrefix(in, "^") {
				n.Input[i] = "^" + prefix + in[1:]
			} else {
				n.Input[i] = prefix + in
			}
		}
		if len(n.Input) == 0 && gate != "" {
			n.Input = []string{"^" + gate}
		}
		if _, _, isCall := l.callee(n); isCall {
			if err := claim(n.GetName()); err != nil {
				return nil, err
			}
			inner, err := l.inline(n, names, append(stack, fname))
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		if err := add(n); err != nil {
			return nil, err
		}
	}

	// The stand-in keeps the call's name, so fetches of "call:k" and
	// control edges from "^call" still mean what they meant.
	standIn := &tfpb.NodeDef{Name: call.GetName(), Device: call.GetDevice()}
	for _, r := range body.Rets {
		standIn.Input = append(standIn.Input, prefix+r)
	}
	for _, c := range body.ControlRets {
		standIn.Input = append(standIn.Input, "^"+prefix+c)
	}
	if len(body.Rets) == 0 {
		standIn.Op = "NoOp"
	} else {
		standIn.Op = "IdentityN"
		standIn.Attr = map[string]*tfpb.AttrValue{"T": {Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{Type: body.RetTypes}}}}
	}
	// The call's own name is already in names.
	out = append(out, standIn)
	return out, nil
}
