package freeze

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

func typeAttr(t tfpb.DataType) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: t}}
}

func controlInputs(n *tfpb.NodeDef) []string {
	return n.GetInput()[len(dataInputs(n)):]
}

// rewriteReads turns every read of a resource variable into a read of the
// variable node itself, which constantVariables then makes a Const, the
// way convert_variables_to_constants_v2 does: ReadVariableOp becomes an
// Identity of it, ResourceGather(Nd) a GatherV2 (GatherNd) of it,
// VarIsInitializedOp the constant true and VariableShape its shape. Each
// rewritten node keeps its name and control inputs. A handle that reaches
// anything else is an error naming the node.
func (f *freezer) rewriteReads(g *tfpb.GraphDef) error {
	ix := indexNodes(g.GetNode())
	var extra []*tfpb.NodeDef
	for _, n := range g.GetNode() {
		data := dataInputs(n)
		if len(data) == 0 {
			continue
		}
		v, _ := ix.source(data[0])
		if v == nil || v.GetOp() != "VarHandleOp" {
			continue
		}
		ctrl := controlInputs(n)
		dtype := v.GetAttr()["dtype"].GetType()
		switch n.GetOp() {
		case "ReadVariableOp":
			n.Op, n.Input = "Identity", append([]string{v.GetName()}, ctrl...)
			n.Attr = map[string]*tfpb.AttrValue{"T": typeAttr(dtype)}
		case "ResourceGather":
			if len(data) != 2 {
				return fmt.Errorf("node %q (%s) has %d inputs", n.GetName(), n.GetOp(), len(data))
			}
			axis := graph.NewNode(n.GetName()+"/axis", "Const", ctrl, map[string]any{"dtype": tensor.Int32, "value": tensor.Scalar[int32](0)})
			extra = append(extra, axis)
			n.Op, n.Input = "GatherV2", append([]string{v.GetName(), data[1], axis.GetName()}, ctrl...)
			n.Attr = map[string]*tfpb.AttrValue{
				"Tparams": typeAttr(dtype), "Tindices": n.GetAttr()["Tindices"], "Taxis": typeAttr(tfpb.DataType_DT_INT32),
				"batch_dims": attrOr(n.GetAttr()["batch_dims"], &tfpb.AttrValue{Value: &tfpb.AttrValue_I{}}),
			}
		case "ResourceGatherNd":
			if len(data) != 2 {
				return fmt.Errorf("node %q (%s) has %d inputs", n.GetName(), n.GetOp(), len(data))
			}
			n.Op, n.Input = "GatherNd", append([]string{v.GetName(), data[1]}, ctrl...)
			n.Attr = map[string]*tfpb.AttrValue{"Tparams": typeAttr(dtype), "Tindices": n.GetAttr()["Tindices"]}
		case "VarIsInitializedOp":
			*n = *graph.NewNode(n.GetName(), "Const", ctrl, map[string]any{"dtype": tensor.Bool, "value": tensor.Scalar(true)})
		case "VariableShape":
			if err := f.shapeConst(n, v, ctrl); err != nil {
				return err
			}
		}
	}
	g.Node = append(g.Node, extra...)
	return nil
}

func attrOr(v, def *tfpb.AttrValue) *tfpb.AttrValue {
	if v == nil {
		return def
	}
	return v
}

// shapeConst turns VariableShape node n of variable v into a Const.
func (f *freezer) shapeConst(n, v *tfpb.NodeDef, ctrl []string) error {
	val, err := f.value(v)
	if err != nil {
		return err
	}
	dims := val.GetTensorShape().GetDim()
	var t *tensor.Tensor
	if n.GetAttr()["out_type"].GetType() == tfpb.DataType_DT_INT64 {
		s := make([]int64, len(dims))
		for i, d := range dims {
			s[i] = d.GetSize()
		}
		t = tensor.MustFromSlice(tensor.Shape{len(s)}, s)
	} else {
		s := make([]int32, len(dims))
		for i, d := range dims {
			s[i] = int32(d.GetSize())
		}
		t = tensor.MustFromSlice(tensor.Shape{len(s)}, s)
	}
	*n = *graph.NewNode(n.GetName(), "Const", ctrl, map[string]any{"dtype": t.DType(), "value": t})
	return nil
}

// constantVariables replaces every variable node of g by a Const of the
// same name holding its checkpoint value, and returns how many it
// replaced. A resource handle that still reaches a node other than the
// reads rewriteReads made is an error naming that node.
func (f *freezer) constantVariables(g *tfpb.GraphDef) (int, error) {
	ix := indexNodes(g.GetNode())
	for _, n := range g.GetNode() {
		if passThrough[n.GetOp()] {
			continue // a forwarded handle, or a read rewriteReads made
		}
		for i, in := range dataInputs(n) {
			v := ix.handleSource(in)
			if v == nil || v.GetOp() != "VarHandleOp" {
				continue
			}
			if i == 0 && (n.GetOp() == "GatherV2" || n.GetOp() == "GatherNd") {
				continue // a gather made by rewriteReads
			}
			return 0, fmt.Errorf("variable %q: its handle reaches node %q (%s), which cannot be turned into a read of a constant", v.GetName(), n.GetName(), n.GetOp())
		}
	}
	count := 0
	for _, n := range g.GetNode() {
		if !graph.IsVariableOp(n.GetOp()) {
			continue
		}
		val, err := f.value(n)
		if err != nil {
			return 0, err
		}
		ctrl := controlInputs(n)
		*n = tfpb.NodeDef{Name: n.GetName(), Op: "Const", Input: ctrl, Device: n.GetDevice(), Attr: map[string]*tfpb.AttrValue{
			"dtype": typeAttr(val.GetDtype()),
			"value": {Value: &tfpb.AttrValue_Tensor{Tensor: val}},
		}}
		count++
	}
	return count, nil
}

// value returns the checkpoint value of variable node n as a TensorProto,
// read once and shared by every graph that holds it.
func (f *freezer) value(n *tfpb.NodeDef) (*tfpb.TensorProto, error) {
	if p, ok := f.values[n.GetName()]; ok {
		return p, nil
	}
	v := f.vars[n.GetName()]
	if v == nil {
		return nil, &VariableError{Variable: n.GetName(), Err: fmt.Errorf("%w: it is not a variable of the model's graph (op %s inside a function?)", ErrUnmapped, n.GetOp())}
	}
	if v.Key == "" {
		return nil, &VariableError{Variable: v.Node, Err: ErrUnmapped}
	}
	t, err := f.ckpt.Tensor(v.Key)
	if err != nil {
		return nil, &VariableError{Variable: v.Node, Key: v.Key, Err: err}
	}
	if v.Slice != "" {
		if t, err = slicePart(t, v.Slice); err != nil {
			return nil, &VariableError{Variable: v.Node, Key: v.Key, Err: err}
		}
	}
	if err := checkValue(n, t); err != nil {
		return nil, &VariableError{Variable: v.Node, Key: v.Key, Err: err}
	}
	p, err := valueProto(t)
	if err != nil {
		return nil, &VariableError{Variable: v.Node, Key: v.Key, Err: err}
	}
	f.values[n.GetName()] = p
	return p, nil
}

// valueProto converts a tensor read from the checkpoint, which nothing
// else holds, into a TensorProto. The bytes of a fixed-size tensor become
// its tensor_content without a copy, so the weights are held once.
func valueProto(t *tensor.Tensor) (*tfpb.TensorProto, error) {
	if !t.DType().FixedSize() || t.DType() == tensor.Bool {
		return tensor.ToTFProto(t)
	}
	return &tfpb.TensorProto{Dtype: tfpb.DataType(t.DType()), TensorShape: tensor.TFShapeProto(t.Shape()), TensorContent: t.Bytes()}, nil
}

// checkValue checks a checkpoint tensor against the variable's declared
// dtype and shape.
func checkValue(n *tfpb.NodeDef, t *tensor.Tensor) error {
	attrs := n.GetAttr()
	if dt := tensor.DType(attrs["dtype"].GetType()).BaseType(); attrs["dtype"] != nil && dt != t.DType() {
		return fmt.Errorf("the checkpoint holds %v%v, the variable is %v", t.DType(), t.Shape(), dt)
	}
	dims, known := graph.ShapeDims(attrs["shape"].GetShape())
	if attrs["shape"] == nil || !known {
		return nil
	}
	ok := len(dims) == t.Rank()
	for i := 0; ok && i < len(dims); i++ {
		ok = dims[i] < 0 || dims[i] == int64(t.Shape()[i])
	}
	if !ok {
		return fmt.Errorf("the checkpoint holds %v%v, the variable's shape is %s", t.DType(), t.Shape(), graph.FormatShape(dims, true))
	}
	return nil
}

// slicePart cuts a partitioned variable's part out of the full tensor,
// given TensorFlow's shape_and_slice spec: the full shape's dimensions,
// then one "start,length" or "-" (all) per dimension joined by ":".
func slicePart(t *tensor.Tensor, spec string) (*tensor.Tensor, error) {
	fields := strings.Fields(spec)
	if len(fields) != t.Rank()+1 {
		return nil, fmt.Errorf("slice %q does not fit the checkpoint's %v tensor", spec, t.Shape())
	}
	for i, d := range fields[:t.Rank()] {
		if n, err := strconv.Atoi(d); err != nil || n != t.Shape()[i] {
			return nil, fmt.Errorf("slice %q: full shape differs from the checkpoint's %v", spec, t.Shape())
		}
	}
	ext := strings.Split(fields[t.Rank()], ":")
	if len(ext) != t.Rank() {
		return nil, fmt.Errorf("slice %q: %d extents for a rank-%d tensor", spec, len(ext), t.Rank())
	}
	start, shape := make([]int, t.Rank()), make(tensor.Shape, t.Rank())
	for i, e := range ext {
		if e == "-" {
			shape[i] = t.Shape()[i]
			continue
		}
		a, b, ok := strings.Cut(e, ",")
		s, err1 := strconv.Atoi(a)
		l, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || s < 0 || l < 0 || s+l > t.Shape()[i] {
			return nil, fmt.Errorf("slice %q: bad extent %q for dimension %d of %v", spec, e, i, t.Shape())
		}
		start[i], shape[i] = s, l
	}
	size := t.DType().Size()
	if size == 0 {
		return nil, fmt.Errorf("slice %q of a %v tensor is not supported", spec, t.DType())
	}
	src := t.Bytes()
	dst := make([]byte, 0, shape.NumElements()*size)
	strides := t.Shape().Strides()
	// Copy rows of the last dimension, walking the other dimensions.
	idx := make([]int, t.Rank())
	rowLen := size
	if t.Rank() > 0 {
		rowLen = shape[t.Rank()-1] * size
	}
	for shape.NumElements() > 0 {
		off := 0
		for i := range idx {
			off += (start[i] + idx[i]) * strides[i]
		}
		dst = append(dst, src[off*size:off*size+rowLen]...)
		i := t.Rank() - 2
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return tensor.FromBytes(t.DType(), shape, dst)
}

// isResourcePassThrough reports an identity that forwards resource
// handles (an inlined function's argument, a call's stand-in).
func isResourcePassThrough(n *tfpb.NodeDef) bool {
	if !passThrough[n.GetOp()] {
		return false
	}
	t := n.GetAttr()["T"]
	return t.GetType() == tfpb.DataType_DT_RESOURCE || slices.Contains(t.GetList().GetType(), tfpb.DataType_DT_RESOURCE)
}

// handleSource follows ref back through identities that forward resource
// handles, and returns the node that produces it.
func (ix nodeIndex) handleSource(ref string) *tfpb.NodeDef {
	for range len(ix) + 1 {
		tn, err := graph.ParseTensorName(ref)
		if err != nil || tn.Control || ix[tn.Node] == nil {
			return nil
		}
		n := ix[tn.Node]
		data := dataInputs(n)
		if !isResourcePassThrough(n) || tn.Output >= len(data) {
			return n
		}
		ref = data[tn.Output]
	}
	return nil
}
