package function

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
)

// ErrNotFound is wrapped when a function is not in the library.
var ErrNotFound = errors.New("function not in the library")

// ErrNotCall is wrapped when Inline is given a node that calls no
// function.
var ErrNotCall = errors.New("node does not call a function")

// UnknownOpError reports a body node whose outputs a reference needs but
// whose op neither the project, the model's op list nor the library
// describes.
type UnknownOpError struct {
	// Function, Node and Op name the function, the body node and its op.
	Function, Node, Op string
}

// Error returns a one-line description naming function, node and op.
func (e *UnknownOpError) Error() string {
	return fmt.Sprintf("function %s: node %q: op %s is unknown (no signature), so its outputs cannot be resolved", e.Function, e.Node, e.Op)
}

// Body is one instantiation of a FunctionDef, shaped like a GraphDef.
type Body struct {
	// Function is the instantiated function's name.
	Function string
	// Nodes are the body's nodes in FunctionDef order, preceded by one
	// Placeholder per argument tensor. Inputs are plain references
	// ("node", "node:1", "^node"). The nodes are the Body's own copies.
	Nodes []*tfpb.NodeDef
	// Args names the Placeholder node of each argument tensor, in flat
	// argument order; ArgTypes are their dtypes.
	Args     []string
	ArgTypes []tfpb.DataType
	// Rets are the returned tensors ("node:k", or an argument's
	// placeholder), in flat output order; RetTypes their dtypes.
	Rets     []string
	RetTypes []tfpb.DataType
	// ControlRets are the nodes the function must run (its control
	// outputs), in the signature's order.
	ControlRets []string
}

// Option configures Instantiate and Inline.
type Option func(*config)

type config struct {
	ops map[string]*tfpb.OpDef
}

// WithOpList adds op definitions (a MetaGraphDef's stripped_op_list) for
// ops the project has no signature of. The project's own signatures take
// precedence.
func WithOpList(l *tfpb.OpList) Option {
	return func(c *config) {
		if c.ops == nil {
			c.ops = make(map[string]*tfpb.OpDef)
		}
		for _, op := range l.GetOp() {
			c.ops[op.GetName()] = op
		}
	}
}

// library indexes a FunctionDefLibrary by function name.
type library struct {
	funcs map[string]*tfpb.FunctionDef
	cfg   config
}

func newLibrary(lib *tfpb.FunctionDefLibrary, opts []Option) *library {
	l := &library{funcs: make(map[string]*tfpb.FunctionDef, len(lib.GetFunction()))}
	for _, f := range lib.GetFunction() {
		l.funcs[f.GetSignature().GetName()] = f
	}
	for _, o := range opts {
		o(&l.cfg)
	}
	return l
}

// Instantiate instantiates the function name of lib with the attribute
// values attrs (which may be nil).
func Instantiate(lib *tfpb.FunctionDefLibrary, name string, attrs map[string]*tfpb.AttrValue, opts ...Option) (*Body, error) {
	return newLibrary(lib, opts).instantiate(name, attrs)
}

// item is what a name in a FunctionDef body refers to: a run of tensors,
// either argument placeholders (nodes) or outputs of one node.
type item struct {
	arg   bool
	nodes []string // arg: the placeholder of each tensor
	node  string   // output: the node
	start int      // output: the first output index
	n     int      // output: the number of tensors
}

func (it item) tensors() []string {
	if it.arg {
		return it.nodes
	}
	out := make([]string, it.n)
	for i := range out {
		out[i] = tensorName(it.node, it.start+i)
	}
	return out
}

func tensorName(node string, k int) string {
	if k == 0 {
		return node
	}
	return node + ":" + strconv.Itoa(k)
}

func (l *library) instantiate(name string, attrs map[string]*tfpb.AttrValue) (*Body, error) {
	fd, ok := l.funcs[name]
	if !ok {
		return nil, fmt.Errorf("function %s: %w", name, ErrNotFound)
	}
	sig := fd.GetSignature()
	attrs = withDefaults(sig, attrs)
	b := &Body{Function: name}
	inst := &instance{lib: l, fd: fd, name: name, attrs: attrs, items: map[string]item{}, bodyNodes: map[string]*tfpb.NodeDef{}}

	for _, a := range sig.GetInputArg() {
		types, err := argTypes(a, attrs)
		if err != nil {
			return nil, fmt.Errorf("function %s: argument %q: %w", name, a.GetName(), err)
		}
		it := item{arg: true}
		for i, t := range types {
			node := a.GetName()
			if len(types) > 1 || a.GetNumberAttr() != "" || a.GetTypeListAttr() != "" {
				node += "_" + strconv.Itoa(i)
			}
			it.nodes = append(it.nodes, node)
			b.Nodes = append(b.Nodes, &tfpb.NodeDef{Name: node, Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{
				"dtype": {Value: &tfpb.AttrValue_Type{Type: t}},
			}})
			b.Args = append(b.Args, node)
			b.ArgTypes = append(b.ArgTypes, t)
		}
		if err := inst.define(a.GetName(), it); err != nil {
			return nil, err
		}
	}
	for _, n := range fd.GetNodeDef() {
		if _, dup := inst.items[n.GetName()]; dup || inst.bodyNodes[n.GetName()] != nil {
			return nil, fmt.Errorf("function %s: node name %q is used twice", name, n.GetName())
		}
		inst.bodyNodes[n.GetName()] = n
	}
	for _, a := range b.Args {
		if inst.bodyNodes[a] != nil {
			return nil, fmt.Errorf("function %s: argument placeholder %q clashes with a body node", name, a)
		}
	}
	for _, n := range fd.GetNodeDef() {
		out, err := inst.node(n)
		if err != nil {
			return nil, err
		}
		b.Nodes = append(b.Nodes, out)
	}
	for _, a := range sig.GetOutputArg() {
		types, err := argTypes(a, attrs)
		if err != nil {
			return nil, fmt.Errorf("function %s: output %q: %w", name, a.GetName(), err)
		}
		ref, ok := fd.GetRet()[a.GetName()]
		if !ok {
			return nil, fmt.Errorf("function %s: output %q has no ret entry", name, a.GetName())
		}
		ts, err := inst.resolve(ref, "ret "+a.GetName())
		if err != nil {
			return nil, err
		}
		if len(ts) != len(types) {
			return nil, fmt.Errorf("function %s: output %q is %d tensor(s) but ret %q gives %d", name, a.GetName(), len(types), ref, len(ts))
		}
		b.Rets = append(b.Rets, ts...)
		b.RetTypes = append(b.RetTypes, types...)
	}
	for _, c := range sig.GetControlOutput() {
		node, ok := fd.GetControlRet()[c]
		if !ok {
			return nil, fmt.Errorf("function %s: control output %q has no control_ret entry", name, c)
		}
		if inst.bodyNodes[node] == nil {
			return nil, fmt.Errorf("function %s: control output %q names %q, which is not a body node", name, c, node)
		}
		b.ControlRets = append(b.ControlRets, node)
	}
	return b, nil
}

// withDefaults returns attrs completed by the defaults of the function
// signature's attributes.
func withDefaults(sig *tfpb.OpDef, attrs map[string]*tfpb.AttrValue) map[string]*tfpb.AttrValue {
	out := make(map[string]*tfpb.AttrValue, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	for _, a := range sig.GetAttr() {
		if _, ok := out[a.GetName()]; !ok && a.GetDefaultValue() != nil {
			out[a.GetName()] = a.GetDefaultValue()
		}
	}
	return out
}

// argTypes expands an argument into the dtypes of its tensors.
func argTypes(a *tfpb.OpDef_ArgDef, attrs map[string]*tfpb.AttrValue) ([]tfpb.DataType, error) {
	if a.GetTypeListAttr() != "" {
		v, err := bound(a.GetTypeListAttr(), attrs)
		if err != nil {
			return nil, err
		}
		l, ok := v.GetValue().(*tfpb.AttrValue_List)
		if !ok {
			return nil, fmt.Errorf("attribute %q is not a list of types", a.GetTypeListAttr())
		}
		return append([]tfpb.DataType(nil), l.List.GetType()...), nil
	}
	t := a.GetType()
	if a.GetTypeAttr() != "" {
		v, err := bound(a.GetTypeAttr(), attrs)
		if err != nil {
			return nil, err
		}
		tv, ok := v.GetValue().(*tfpb.AttrValue_Type)
		if !ok {
			return nil, fmt.Errorf("attribute %q is not a type", a.GetTypeAttr())
		}
		t = tv.Type
	}
	n := 1
	if a.GetNumberAttr() != "" {
		v, err := bound(a.GetNumberAttr(), attrs)
		if err != nil {
			return nil, err
		}
		iv, ok := v.GetValue().(*tfpb.AttrValue_I)
		if !ok || iv.I < 0 || iv.I > maxListLen {
			return nil, fmt.Errorf("attribute %q is not a list length", a.GetNumberAttr())
		}
		n = int(iv.I)
	}
	out := make([]tfpb.DataType, n)
	for i := range out {
		out[i] = t
	}
	return out, nil
}

// maxListLen bounds the length of a list argument, which comes from an
// untrusted attribute.
const maxListLen = 1 << 16

func bound(name string, attrs map[string]*tfpb.AttrValue) (*tfpb.AttrValue, error) {
	v, ok := attrs[name]
	if !ok {
		return nil, fmt.Errorf("attribute %q is not set", name)
	}
	if v.GetPlaceholder() != "" {
		return nil, fmt.Errorf("attribute %q is the unbound placeholder $%s", name, v.GetPlaceholder())
	}
	return v, nil
}

// instance is the state of one instantiation.
type instance struct {
	lib       *library
	fd        *tfpb.FunctionDef
	name      string
	attrs     map[string]*tfpb.AttrValue
	items     map[string]item
	bodyNodes map[string]*tfpb.NodeDef
}

func (in *instance) define(name string, it item) error {
	if _, dup := in.items[name]; dup {
		return fmt.Errorf("function %s: name %q is defined twice", in.name, name)
	}
	in.items[name] = it
	return nil
}

// node returns the instantiated copy of body node n.
func (in *instance) node(n *tfpb.NodeDef) (*tfpb.NodeDef, error) {
	out := &tfpb.NodeDef{Name: n.GetName(), Op: n.GetOp(), Device: n.GetDevice()}
	if len(n.GetAttr()) > 0 {
		out.Attr = make(map[string]*tfpb.AttrValue, len(n.GetAttr()))
		for k, v := range n.GetAttr() {
			sv, err := in.substitute(v)
			if err != nil {
				return nil, fmt.Errorf("function %s: node %q: attribute %q: %w", in.name, n.GetName(), k, err)
			}
			out.Attr[k] = sv
		}
	}
	for _, ref := range n.GetInput() {
		if strings.HasPrefix(ref, "^") {
			src := ref[1:]
			if in.bodyNodes[src] == nil {
				if it, ok := in.items[src]; ok && it.arg {
					// A control edge from an argument: wait for its placeholders.
					for _, p := range it.nodes {
						out.Input = append(out.Input, "^"+p)
					}
					continue
				}
				return nil, fmt.Errorf("function %s: node %q: control input %q is not a body node", in.name, n.GetName(), ref)
			}
			out.Input = append(out.Input, ref)
			continue
		}
		ts, err := in.resolve(ref, "node "+strconv.Quote(n.GetName()))
		if err != nil {
			return nil, err
		}
		out.Input = append(out.Input, ts...)
	}
	return out, nil
}

// substitute replaces attribute placeholders ($T) by the instantiation's
// values, inside function attributes too. Values without placeholders are
// shared.
func (in *instance) substitute(v *tfpb.AttrValue) (*tfpb.AttrValue, error) {
	switch x := v.GetValue().(type) {
	case *tfpb.AttrValue_Placeholder:
		val, ok := in.attrs[x.Placeholder]
		if !ok {
			return nil, fmt.Errorf("placeholder $%s has no value", x.Placeholder)
		}
		return val, nil
	case *tfpb.AttrValue_Func:
		f, changed, err := in.substituteFunc(x.Func)
		if err != nil || !changed {
			return v, err
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Func{Func: f}}, nil
	case *tfpb.AttrValue_List:
		var fs []*tfpb.NameAttrList
		changed := false
		for _, f := range x.List.GetFunc() {
			nf, c, err := in.substituteFunc(f)
			if err != nil {
				return nil, err
			}
			fs = append(fs, nf)
			changed = changed || c
		}
		if !changed {
			return v, nil
		}
		l := proto.CloneOf(x.List)
		l.Func = fs
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: l}}, nil
	}
	return v, nil
}

func (in *instance) substituteFunc(f *tfpb.NameAttrList) (*tfpb.NameAttrList, bool, error) {
	var out *tfpb.NameAttrList
	for k, v := range f.GetAttr() {
		sv, err := in.substitute(v)
		if err != nil {
			return nil, false, err
		}
		if sv == v {
			continue
		}
		if out == nil {
			out = &tfpb.NameAttrList{Name: f.GetName(), Attr: make(map[string]*tfpb.AttrValue, len(f.GetAttr()))}
			for k2, v2 := range f.GetAttr() {
				out.Attr[k2] = v2
			}
		}
		out.Attr[k] = sv
	}
	if out == nil {
		return f, false, nil
	}
	return out, true, nil
}

// resolve turns a FunctionDef data reference into plain tensor names:
// "arg", "arg:i", "node:out_arg", "node:out_arg:i".
func (in *instance) resolve(ref, where string) ([]string, error) {
	if it, ok := in.items[ref]; ok {
		return it.tensors(), nil
	}
	node, rest, hasColon := strings.Cut(ref, ":")
	if !hasColon {
		if in.bodyNodes[ref] != nil {
			// A bare node name: its first output, as in a GraphDef.
			return []string{ref}, nil
		}
		return nil, fmt.Errorf("function %s: %s: input %q names nothing in the function", in.name, where, ref)
	}
	if it, ok := in.items[node]; ok && it.arg {
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 || i >= len(it.nodes) {
			return nil, fmt.Errorf("function %s: %s: input %q: no such argument tensor", in.name, where, ref)
		}
		return it.nodes[i : i+1], nil
	}
	n := in.bodyNodes[node]
	if n == nil {
		return nil, fmt.Errorf("function %s: %s: input %q names nothing in the function", in.name, where, ref)
	}
	argName, idx, hasIdx := strings.Cut(rest, ":")
	if !hasIdx && isDigits(rest) {
		// "node:k", the GraphDef form, which hand-written functions use.
		k, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("function %s: %s: input %q: bad output index", in.name, where, ref)
		}
		return []string{tensorName(node, k)}, nil
	}
	start, end, err := in.outputRange(n, argName)
	if err != nil {
		return nil, err
	}
	if !hasIdx {
		out := make([]string, 0, end-start)
		for k := start; k < end; k++ {
			out = append(out, tensorName(node, k))
		}
		return out, nil
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || start+i >= end {
		return nil, fmt.Errorf("function %s: %s: input %q: index out of range of output %q (%d tensors)", in.name, where, ref, argName, end-start)
	}
	return []string{tensorName(node, start+i)}, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// outputRange finds where output argument arg of body node n begins and
// ends among its outputs.
func (in *instance) outputRange(n *tfpb.NodeDef, arg string) (int, int, error) {
	attrs, err := in.nodeAttrs(n)
	if err != nil {
		return 0, 0, err
	}
	wrap := func(err error) error {
		return fmt.Errorf("function %s: node %q (%s): %w", in.name, n.GetName(), n.GetOp(), err)
	}
	if sig, ok := opdefs.SignatureOf(n.GetOp()); ok {
		start, end, err := sig.OutputRange(arg, attrs)
		if err != nil {
			return 0, 0, wrap(err)
		}
		return start, end, nil
	}
	var def *tfpb.OpDef
	if od, ok := in.lib.cfg.ops[n.GetOp()]; ok {
		def = od
	} else if fd, ok := in.lib.funcs[n.GetOp()]; ok {
		def = fd.GetSignature()
	}
	if def == nil {
		return 0, 0, &UnknownOpError{Function: in.name, Node: n.GetName(), Op: n.GetOp()}
	}
	start, end, err := opDefOutputRange(def, arg, attrs)
	if err != nil {
		return 0, 0, wrap(err)
	}
	return start, end, nil
}

// nodeAttrs returns the attributes of body node n with placeholders
// bound.
func (in *instance) nodeAttrs(n *tfpb.NodeDef) (map[string]*tfpb.AttrValue, error) {
	attrs := make(map[string]*tfpb.AttrValue, len(n.GetAttr()))
	for k, v := range n.GetAttr() {
		sv, err := in.substitute(v)
		if err != nil {
			return nil, fmt.Errorf("function %s: node %q: attribute %q: %w", in.name, n.GetName(), k, err)
		}
		attrs[k] = sv
	}
	return attrs, nil
}

// opDefOutputRange is Signature.OutputRange for an OpDef.
func opDefOutputRange(def *tfpb.OpDef, arg string, attrs map[string]*tfpb.AttrValue) (int, int, error) {
	attrs = withDefaults(def, attrs)
	start := 0
	for _, a := range def.GetOutputArg() {
		types, err := argTypes(a, attrs)
		if err != nil {
			return 0, 0, fmt.Errorf("output %q: %w", a.GetName(), err)
		}
		if a.GetName() == arg {
			return start, start + len(types), nil
		}
		start += len(types)
	}
	return 0, 0, fmt.Errorf("%s has no output %q", def.GetName(), arg)
}
