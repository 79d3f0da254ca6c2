package tensorflow

import (
	"fmt"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// OpSpec is the specification of an Operation to be added to a Graph
// (using Graph.AddOperation).
type OpSpec struct {
	// Type of the operation (e.g., "Add", "MatMul").
	Type string

	// Name by which the added operation will be referred to in the
	// Graph. If omitted, defaults to Type.
	Name string

	// Inputs to this operation, outputs of operations already in the
	// graph: an Output for each single-tensor argument, an OutputList for
	// each list argument (the values of ConcatV2).
	Input []Input

	// Attrs maps attribute names to values of the Go types the bindings
	// accept: string, []string, int64, []int64, float32, []float32, bool,
	// []bool, DataType, []DataType, *Tensor, []*Tensor, Shape, []Shape.
	// Type and length attributes the inputs determine (T, N) may be left
	// out.
	Attrs map[string]any

	// ControlDependencies are operations that must run before this one.
	ControlDependencies []*Operation

	// Device is the device on which the operation should run
	// ("/device:CPU:0"); it is recorded, tfoffload places ops itself.
	Device string
}

// AddOperation adds an operation to g. As in TensorFlow, the op must be
// registered (tfoffload knows the ops it has a kernel for), the inputs
// must match its arguments, attribute values must have the declared kinds
// and allowed values, type and length attributes are inferred from the
// inputs, defaults are filled in, and the name must be new.
func (g *Graph) AddOperation(args OpSpec) (*Operation, error) {
	if args.Name == "" {
		args.Name = args.Type
	}
	if !validNodeName.MatchString(args.Name) {
		return nil, fmt.Errorf("node '%s': node name contains invalid characters", args.Name)
	}
	sig, ok := opdefs.SignatureOf(args.Type)
	if !ok {
		return nil, fmt.Errorf("op type not registered '%s' in tfoffload (node %s)", args.Type, args.Name)
	}
	n := &tfpb.NodeDef{Name: args.Name, Op: args.Type, Device: args.Device, Attr: map[string]*tfpb.AttrValue{}}
	for _, name := range sortedKeys(args.Attrs) {
		v, err := attrValue(name, args.Attrs[name])
		if err != nil {
			return nil, err
		}
		n.Attr[name] = v
	}
	if err := g.bindInputs(n, sig, args.Input); err != nil {
		return nil, fmt.Errorf("node %s (%s): %w", args.Name, args.Type, err)
	}
	for _, c := range args.ControlDependencies {
		if c == nil || c.g != g {
			return nil, fmt.Errorf("node %s (%s): control dependency is not an operation of this graph", args.Name, args.Type)
		}
		n.Input = append(n.Input, "^"+c.nodeName)
	}
	n.Attr = sig.FillDefaults(n.Attr)
	if err := sig.Check(n); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.index[n.Name]; dup {
		return nil, fmt.Errorf("duplicate node name in graph: '%s'", n.Name)
	}
	g.nodes = append(g.nodes, n)
	g.index[n.Name] = n
	return &Operation{g: g, nodeName: n.Name}, nil
}

// bindInputs adds the inputs to n, argument by argument, and sets the
// type and length attributes they determine, as TensorFlow's
// TF_FinishOperation infers them.
func (g *Graph) bindInputs(n *tfpb.NodeDef, sig *opdefs.Signature, inputs []Input) error {
	if len(inputs) != len(sig.Inputs) {
		return fmt.Errorf("expected %d inputs (%s), got %d", len(sig.Inputs), argNames(sig.Inputs), len(inputs))
	}
	for i, arg := range sig.Inputs {
		var outs []Output
		list := arg.NumberAttr != "" || arg.TypeListAttr != ""
		switch in := inputs[i].(type) {
		case Output:
			if list {
				return fmt.Errorf("input %q is a list: pass an OutputList", arg.Name)
			}
			outs = []Output{in}
		case OutputList:
			if !list {
				return fmt.Errorf("input %q is a single tensor: pass an Output", arg.Name)
			}
			outs = in
		default:
			return fmt.Errorf("input %q: unsupported Input %T", arg.Name, inputs[i])
		}
		types := make([]tensor.DType, len(outs))
		for j, o := range outs {
			if o.Op == nil || o.Op.g != g {
				return fmt.Errorf("input %q: not an output of an operation of this graph", arg.Name)
			}
			outInfos := g.outputs(o.Op.nodeName)
			if o.Index < 0 || o.Index >= len(outInfos) {
				return fmt.Errorf("input %q: operation %s has no output %d", arg.Name, o.Op.nodeName, o.Index)
			}
			types[j] = outInfos[o.Index].dt
			n.Input = append(n.Input, o.name())
		}
		if err := inferAttrs(n, arg, types); err != nil {
			return fmt.Errorf("input %q: %w", arg.Name, err)
		}
	}
	return nil
}

func argNames(args []opdefs.Arg) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

// inferAttrs sets (or checks) the attributes of n that the types of one
// argument's tensors determine.
func inferAttrs(n *tfpb.NodeDef, arg opdefs.Arg, types []tensor.DType) error {
	base := make([]tensor.DType, len(types))
	for i, t := range types {
		base[i] = t.BaseType()
	}
	set := func(name string, v *tfpb.AttrValue, show string) error {
		if old, ok := n.Attr[name]; ok {
			if !attrEqual(old, v) {
				return fmt.Errorf("inconsistent values for attr '%s': %s vs. %s", name, attrString(old), show)
			}
			return nil
		}
		n.Attr[name] = v
		return nil
	}
	switch {
	case arg.TypeListAttr != "":
		l := &tfpb.AttrValue_ListValue{}
		for _, t := range base {
			l.Type = append(l.Type, tfpb.DataType(t))
		}
		return set(arg.TypeListAttr, &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: l}}, fmt.Sprint(base))
	case arg.NumberAttr != "":
		if err := set(arg.NumberAttr, &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: int64(len(types))}}, fmt.Sprint(len(types))); err != nil {
			return err
		}
	}
	for _, t := range base {
		switch {
		case arg.TypeAttr != "":
			if err := set(arg.TypeAttr, &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType(t)}}, graph.DTypeName(t)); err != nil {
				return err
			}
		case arg.Type != tensor.Invalid && t != arg.Type:
			return fmt.Errorf("expected %s, got %s", graph.DTypeName(arg.Type), graph.DTypeName(t))
		}
	}
	return nil
}

func attrEqual(a, b *tfpb.AttrValue) bool {
	if at, ok := a.GetValue().(*tfpb.AttrValue_Type); ok {
		bt, ok := b.GetValue().(*tfpb.AttrValue_Type)
		return ok && at.Type == bt.Type
	}
	if ai, ok := a.GetValue().(*tfpb.AttrValue_I); ok {
		bi, ok := b.GetValue().(*tfpb.AttrValue_I)
		return ok && ai.I == bi.I
	}
	al, bl := a.GetList().GetType(), b.GetList().GetType()
	if len(al) != len(bl) {
		return false
	}
	for i := range al {
		if al[i] != bl[i] {
			return false
		}
	}
	return a.GetList() != nil && b.GetList() != nil
}

func attrString(v *tfpb.AttrValue) string {
	switch x := v.GetValue().(type) {
	case *tfpb.AttrValue_Type:
		return graph.DTypeName(tensor.DType(x.Type))
	case *tfpb.AttrValue_I:
		return fmt.Sprint(x.I)
	}
	return fmt.Sprint(v.GetList().GetType())
}

// attrValue converts an attribute value of one of the Go types the
// bindings accept; any other type is an error, as in the bindings (an
// int must be an int64, a float a float32).
func attrValue(name string, value any) (*tfpb.AttrValue, error) {
	list := func(l *tfpb.AttrValue_ListValue) *tfpb.AttrValue {
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: l}}
	}
	switch v := value.(type) {
	case string:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_S{S: []byte(v)}}, nil
	case []string:
		l := &tfpb.AttrValue_ListValue{}
		for _, s := range v {
			l.S = append(l.S, []byte(s))
		}
		return list(l), nil
	case int64:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: v}}, nil
	case []int64:
		return list(&tfpb.AttrValue_ListValue{I: append([]int64{}, v...)}), nil
	case float32:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_F{F: v}}, nil
	case []float32:
		return list(&tfpb.AttrValue_ListValue{F: append([]float32{}, v...)}), nil
	case bool:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: v}}, nil
	case []bool:
		return list(&tfpb.AttrValue_ListValue{B: append([]bool{}, v...)}), nil
	case DataType:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType(v)}}, nil
	case []DataType:
		l := &tfpb.AttrValue_ListValue{}
		for _, t := range v {
			l.Type = append(l.Type, tfpb.DataType(t))
		}
		return list(l), nil
	case *Tensor:
		p, err := tensor.ToTFProto(v.t)
		if err != nil {
			return nil, fmt.Errorf("bad value for attribute %q: %w", name, err)
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Tensor{Tensor: p}}, nil
	case []*Tensor:
		l := &tfpb.AttrValue_ListValue{}
		for _, t := range v {
			p, err := tensor.ToTFProto(t.t)
			if err != nil {
				return nil, fmt.Errorf("bad value for attribute %q: %w", name, err)
			}
			l.Tensor = append(l.Tensor, p)
		}
		return list(l), nil
	case Shape:
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: shapeProto(v)}}, nil
	case []Shape:
		l := &tfpb.AttrValue_ListValue{}
		for _, s := range v {
			l.Shape = append(l.Shape, shapeProto(s))
		}
		return list(l), nil
	}
	return nil, fmt.Errorf("attribute %q has a type (%T) which is not valid for operation attributes", name, value)
}

func shapeProto(s Shape) *tfpb.TensorShapeProto {
	if s.dims == nil {
		return &tfpb.TensorShapeProto{UnknownRank: true}
	}
	p := &tfpb.TensorShapeProto{}
	for _, d := range s.dims {
		p.Dim = append(p.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return p
}
