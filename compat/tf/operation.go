package tensorflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// Operation is an operation of a Graph. It refers to the operation by
// name: two Operation values for the same name are the same operation.
type Operation struct {
	g        *Graph
	nodeName string
}

// Name returns the name of the operation.
func (op *Operation) Name() string { return op.nodeName }

// Type returns the name of the operator used by this operation ("MatMul").
func (op *Operation) Type() string { return op.n().GetOp() }

// Device returns the device the operation was placed on ("" when none).
func (op *Operation) Device() string { return op.n().GetDevice() }

func (op *Operation) n() *tfpb.NodeDef {
	n := op.g.node(op.nodeName)
	if n == nil {
		// Operations are only made for nodes of their graph, and nodes
		// are never removed.
		panic(fmt.Sprintf("tensorflow: operation %q is not in its graph", op.nodeName))
	}
	return n
}

// NumOutputs returns the number of outputs of op.
func (op *Operation) NumOutputs() int { return len(op.g.outputs(op.nodeName)) }

// NumInputs returns the number of data inputs of op.
func (op *Operation) NumInputs() int {
	k := 0
	for _, in := range op.n().GetInput() {
		if !strings.HasPrefix(in, "^") {
			k++
		}
	}
	return k
}

// Output returns the i-th output of op.
func (op *Operation) Output(i int) Output { return Output{Op: op, Index: i} }

// OutputListSize returns the number of tensors of the output argument
// named output ("values" of Unpack).
func (op *Operation) OutputListSize(output string) (int, error) {
	n := op.n()
	sig, ok := opdefs.SignatureOf(n.GetOp())
	if !ok {
		return 0, fmt.Errorf("operation %s: op %s has no registered signature", op.nodeName, n.GetOp())
	}
	start, end, err := sig.OutputRange(output, n.GetAttr())
	if err != nil {
		return 0, fmt.Errorf("operation %s: %w", op.nodeName, err)
	}
	return end - start, nil
}

// Attr returns the value of attribute name of op, with the op's declared
// default when the node does not set it: string, int64, float32, bool,
// DataType, Shape or *Tensor, or a slice of one of those for a list. An
// attribute that does not exist is an error.
func (op *Operation) Attr(name string) (any, error) {
	n := op.n()
	v, ok := n.GetAttr()[name]
	if !ok {
		if sig, found := opdefs.SignatureOf(n.GetOp()); found {
			v, ok = sig.AttrDefault(name)
		}
	}
	if !ok {
		return nil, fmt.Errorf("operation '%s' has no attr named '%s'", op.nodeName, name)
	}
	if l, isList := v.GetValue().(*tfpb.AttrValue_List); isList && emptyList(l.List) {
		// An empty list does not say its kind; the declared one does.
		if sig, found := opdefs.SignatureOf(n.GetOp()); found {
			for _, d := range sig.Attrs {
				if d.Name == name {
					return emptyListOf(d.Type), nil
				}
			}
		}
	}
	return attrToGo(v)
}

func emptyList(l *tfpb.AttrValue_ListValue) bool {
	return len(l.GetS())+len(l.GetI())+len(l.GetF())+len(l.GetB())+len(l.GetType())+len(l.GetShape())+len(l.GetTensor())+len(l.GetFunc()) == 0
}

// emptyListOf is the bindings' typed nil for an empty list attribute of
// the declared kind ("list(int)" gives []int64(nil)).
func emptyListOf(kind string) any {
	switch kind {
	case "list(string)":
		return []string(nil)
	case "list(float)":
		return []float32(nil)
	case "list(bool)":
		return []bool(nil)
	case "list(type)":
		return []DataType(nil)
	case "list(shape)":
		return []Shape(nil)
	case "list(tensor)":
		return []*Tensor(nil)
	}
	return []int64(nil)
}

func attrToGo(v *tfpb.AttrValue) (any, error) {
	switch x := v.GetValue().(type) {
	case *tfpb.AttrValue_S:
		return string(x.S), nil
	case *tfpb.AttrValue_I:
		return x.I, nil
	case *tfpb.AttrValue_F:
		return x.F, nil
	case *tfpb.AttrValue_B:
		return x.B, nil
	case *tfpb.AttrValue_Type:
		return DataType(x.Type), nil
	case *tfpb.AttrValue_Shape:
		return shapeOfProto(x.Shape), nil
	case *tfpb.AttrValue_Tensor:
		t, err := tensor.FromTFProto(x.Tensor)
		if err != nil {
			return nil, err
		}
		return &Tensor{t: t}, nil
	case *tfpb.AttrValue_List:
		return listToGo(x.List)
	}
	return nil, fmt.Errorf("attribute type %T not supported", v.GetValue())
}

func listToGo(l *tfpb.AttrValue_ListValue) (any, error) {
	switch {
	case len(l.GetS()) > 0:
		out := make([]string, len(l.GetS()))
		for i, s := range l.GetS() {
			out[i] = string(s)
		}
		return out, nil
	case len(l.GetI()) > 0:
		return slices.Clone(l.GetI()), nil
	case len(l.GetF()) > 0:
		return slices.Clone(l.GetF()), nil
	case len(l.GetB()) > 0:
		return slices.Clone(l.GetB()), nil
	case len(l.GetType()) > 0:
		out := make([]DataType, len(l.GetType()))
		for i, t := range l.GetType() {
			out[i] = DataType(t)
		}
		return out, nil
	case len(l.GetShape()) > 0:
		out := make([]Shape, len(l.GetShape()))
		for i, s := range l.GetShape() {
			out[i] = shapeOfProto(s)
		}
		return out, nil
	case len(l.GetTensor()) > 0:
		out := make([]*Tensor, len(l.GetTensor()))
		for i, p := range l.GetTensor() {
			t, err := tensor.FromTFProto(p)
			if err != nil {
				return nil, err
			}
			out[i] = &Tensor{t: t}
		}
		return out, nil
	}
	// An empty list of an op without a signature: its kind is unknown.
	return []int64(nil), nil
}

func shapeOfProto(s *tfpb.TensorShapeProto) Shape {
	dims, known := graph.ShapeDims(s)
	if !known {
		return Shape{}
	}
	return MakeShape(dims...)
}

// Output represents one of the outputs of an operation in the graph. It
// may be passed as an input to a new operation, or to Session.Run to
// feed or fetch it. Outputs are compared by operation name and index.
type Output struct {
	// Op is the Operation that produces this Output.
	Op *Operation
	// Index specifies the index of the output within the Operation.
	Index int
}

// name returns the tensor name "op:index".
func (p Output) name() string {
	return graph.TensorName{Node: p.Op.nodeName, Output: p.Index}.String()
}

// DataType returns the type of the elements of the tensor p produces.
func (p Output) DataType() DataType {
	outs := p.graph().outputs(p.Op.nodeName)
	if p.Index < 0 || p.Index >= len(outs) {
		return 0
	}
	return DataType(outs[p.Index].dt)
}

// Shape returns the (possibly incomplete) shape of the tensor p produces,
// as far as graph building knows it: a Shape of unknown rank when it
// cannot tell, -1 for dimensions of unknown size.
func (p Output) Shape() Shape {
	outs := p.graph().outputs(p.Op.nodeName)
	if p.Index < 0 || p.Index >= len(outs) {
		return Shape{}
	}
	s := outs[p.Index].shape
	if s.dims == nil {
		return Shape{}
	}
	return MakeShape(s.dims...)
}

// graph returns the graph of p's operation, panicking with the bindings'
// message for an Output with no operation (one returned by a failed
// op.Scope call).
func (p Output) graph() *Graph {
	if p.Op == nil {
		panic("nil-Operation. If the Output was created with a Scope object, see Scope.Err() for details.")
	}
	return p.Op.g
}

// Consumers returns the inputs that read this output, in graph order;
// nil when there are none.
func (p Output) Consumers() []Consumer {
	g := p.graph()
	want := p.name()
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []Consumer
	for _, n := range g.nodes {
		k := 0
		for _, in := range n.GetInput() {
			if strings.HasPrefix(in, "^") {
				continue
			}
			if canonicalName(in) == want {
				out = append(out, Consumer{Op: &Operation{g: g, nodeName: n.GetName()}, Index: k})
			}
			k++
		}
	}
	return out
}

func canonicalName(s string) string {
	tn, err := graph.ParseTensorName(s)
	if err != nil {
		return s
	}
	return tn.String()
}

func (p Output) canBeAnInput() {}

// Consumer identifies a specific input of an operation that consumes the
// output of another operation.
type Consumer struct {
	// Op is the Operation that is consuming the output of another
	// operation.
	Op *Operation
	// Index is the index of the input within Op that the output of
	// another operation is connected to.
	Index int
}

// DataType returns the type of the input.
func (p Consumer) DataType() DataType { return p.Producer().DataType() }

// Producer returns the Output that is connected to this Consumer.
func (p Consumer) Producer() Output {
	k := 0
	for _, in := range p.Op.n().GetInput() {
		if strings.HasPrefix(in, "^") {
			continue
		}
		if k == p.Index {
			tn, err := graph.ParseTensorName(in)
			if err != nil {
				break
			}
			return Output{Op: &Operation{g: p.Op.g, nodeName: tn.Node}, Index: tn.Output}
		}
		k++
	}
	return Output{}
}

// Input is the interface for specifying inputs to an operation being
// added to a Graph: an Output, or an OutputList for a list argument.
type Input interface {
	// Unexported to preclude implementations outside this package.
	canBeAnInput()
}

// OutputList represents a list of Outputs that can be provided as input
// to another operation.
type OutputList []Output

func (l OutputList) canBeAnInput() {}
