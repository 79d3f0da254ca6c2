package tensorflow

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// outInfo is what graph building knows of one output before running: its
// element type (from the op's signature) and its shape (from the rules in
// shapeRules, else the node's _output_shapes, else unknown).
type outInfo struct {
	dt    tensor.DType
	shape Shape
}

// outputs returns the inferred outputs of node name, computing and
// remembering them on first use. A node inside a cycle (a loop's
// NextIteration) sees the outputs still being computed as unknown.
func (g *Graph) outputs(name string) []outInfo {
	g.infoMu.Lock()
	defer g.infoMu.Unlock()
	return g.outputsLocked(name, map[string]bool{})
}

func (g *Graph) outputsLocked(name string, visiting map[string]bool) []outInfo {
	if info, ok := g.info[name]; ok {
		return info
	}
	n := g.node(name)
	if n == nil || visiting[name] {
		return nil
	}
	visiting[name] = true
	defer delete(visiting, name)
	var ins []outInfo
	var refs []string
	for _, in := range n.GetInput() {
		tn, err := graph.ParseTensorName(in)
		if err != nil || tn.Control {
			continue
		}
		refs = append(refs, in)
		src := g.outputsLocked(tn.Node, visiting)
		if tn.Output < len(src) {
			ins = append(ins, src[tn.Output])
		} else {
			ins = append(ins, outInfo{})
		}
	}
	types := outputTypes(n)
	info := make([]outInfo, len(types))
	rule := shapeRules[n.GetOp()]
	known := n.GetAttr()["_output_shapes"].GetList().GetShape()
	for i, dt := range types {
		info[i].dt = dt
		switch {
		case rule != nil:
			info[i].shape = rule(ruleArgs{n: n, g: g, ins: ins, refs: refs, out: i})
		}
		if info[i].shape.dims == nil && i < len(known) {
			info[i].shape = shapeOfProto(known[i])
		}
	}
	g.info[name] = info
	return info
}

// outputTypes returns the element type of each output of n, from its
// op's signature, or from the usual type attributes for ops tfoffload
// does not know.
func outputTypes(n *tfpb.NodeDef) []tensor.DType {
	sig, ok := opdefs.SignatureOf(n.GetOp())
	if !ok {
		a := graph.AttrsOf(n)
		if ts, err := a.Types("Tout", nil); err == nil && len(ts) > 0 {
			return ts
		}
		k := max(1, len(n.GetAttr()["_output_shapes"].GetList().GetShape()))
		for _, name := range []string{"dtype", "T", "out_type", "DstT", "output_type", "type"} {
			if dt, err := a.Type(name, tensor.Invalid); err == nil && dt != tensor.Invalid {
				return slices.Repeat([]tensor.DType{dt}, k)
			}
		}
		return make([]tensor.DType, k)
	}
	attrs := sig.FillDefaults(n.GetAttr())
	var out []tensor.DType
	for _, arg := range sig.Outputs {
		switch {
		case arg.TypeListAttr != "":
			for _, t := range attrs[arg.TypeListAttr].GetList().GetType() {
				out = append(out, tensor.DType(t))
			}
			continue
		}
		dt := arg.Type
		if arg.TypeAttr != "" {
			dt = tensor.DType(attrs[arg.TypeAttr].GetType())
		}
		count := 1
		if arg.NumberAttr != "" {
			count = int(attrs[arg.NumberAttr].GetI())
		}
		for range count {
			out = append(out, dt)
		}
	}
	return out
}

// ruleArgs is what a shape rule sees: the node, its data inputs' inferred
// outputs and names, and which output is asked for.
type ruleArgs struct {
	n    *tfpb.NodeDef
	g    *Graph
	ins  []outInfo
	refs []string
	out  int
}

// in returns the inferred shape of data input i (unknown when missing).
func (a ruleArgs) in(i int) Shape {
	if i < len(a.ins) {
		return a.ins[i].shape
	}
	return Shape{}
}

// constInts returns the value of data input i when a Const node gives it.
func (a ruleArgs) constInts(i int) ([]int64, bool) {
	if i >= len(a.refs) {
		return nil, false
	}
	tn, err := graph.ParseTensorName(a.refs[i])
	if err != nil {
		return nil, false
	}
	src := a.g.node(tn.Node)
	if src.GetOp() != "Const" {
		return nil, false
	}
	t, err := graph.AttrsOf(src).Tensor("value")
	if err != nil {
		return nil, false
	}
	vals, err := tensor.Float64s(t)
	if err != nil || !t.DType().IsInteger() {
		return nil, false
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = int64(v)
	}
	return out, true
}

func (a ruleArgs) attrInt(name string, def int64) int64 {
	v, err := graph.AttrsOf(a.n).Int(name, def)
	if err != nil {
		return def
	}
	return v
}

func (a ruleArgs) attrBool(name string) bool {
	v, _ := graph.AttrsOf(a.n).Bool(name, false)
	return v
}

type shapeRule func(ruleArgs) Shape

// unknownDims returns a shape of rank r with every size unknown.
func unknownDims(r int) Shape { return MakeShape(slices.Repeat([]int64{-1}, r)...) }

func sameAsInput(a ruleArgs) Shape { return a.in(0) }

func scalar(ruleArgs) Shape { return ScalarShape() }

// broadcast is TensorFlow's broadcasting of two shapes, with unknown
// sizes where the inputs do not tell.
func broadcast(a ruleArgs) Shape {
	x, y := a.in(0), a.in(1)
	if x.dims == nil || y.dims == nil {
		return Shape{}
	}
	r := max(len(x.dims), len(y.dims))
	out := make([]int64, r)
	for i := range r {
		dx, dy := int64(1), int64(1)
		if j := i - (r - len(x.dims)); j >= 0 {
			dx = x.dims[j]
		}
		if j := i - (r - len(y.dims)); j >= 0 {
			dy = y.dims[j]
		}
		switch {
		case dx == 1:
			out[i] = dy
		case dy == 1:
			out[i] = dx
		case dx == dy:
			out[i] = dx
		case dx < 0:
			out[i] = dy
		case dy < 0:
			out[i] = dx
		default:
			out[i] = -1
		}
	}
	return MakeShape(out...)
}

var shapeRules = func() map[string]shapeRule {
	m := map[string]shapeRule{
		"Const": func(a ruleArgs) Shape {
			t, err := graph.AttrsOf(a.n).Tensor("value")
			if err != nil {
				return Shape{}
			}
			return MakeShape(t.Shape().Int64s()...)
		},
		"Placeholder":            attrShape("shape"),
		"PlaceholderV2":          attrShape("shape"),
		"PlaceholderWithDefault": attrShape("shape"),
		"ReadFile":               scalar,
		"EncodeJpeg":             scalar,
		"EncodePng":              scalar,
		"Rank":                   scalar,
		"Size":                   scalar,
		"Shape": func(a ruleArgs) Shape {
			if r := a.in(0).NumDimensions(); r >= 0 {
				return MakeShape(int64(r))
			}
			return unknownDims(1)
		},
		"DecodeJpeg": decodeImage,
		"DecodePng":  decodeImage,
		"DecodeBmp":  decodeImage,
		"DecodeGif":  func(ruleArgs) Shape { return MakeShape(-1, -1, -1, 3) },
		"ExpandDims": func(a ruleArgs) Shape {
			in := a.in(0)
			axis, ok := a.constInts(1)
			if in.dims == nil || !ok || len(axis) != 1 {
				return Shape{}
			}
			ax := int(axis[0])
			if ax < 0 {
				ax += len(in.dims) + 1
			}
			if ax < 0 || ax > len(in.dims) {
				return Shape{}
			}
			return MakeShape(slices.Insert(slices.Clone(in.dims), ax, 1)...)
		},
		"Squeeze": func(a ruleArgs) Shape {
			in := a.in(0)
			if in.dims == nil {
				return Shape{}
			}
			axes, _ := graph.AttrsOf(a.n).Ints("squeeze_dims", nil)
			var out []int64
			for i, d := range in.dims {
				drop := len(axes) == 0 && d == 1
				for _, ax := range axes {
					if int(ax) == i || int(ax)+len(in.dims) == i {
						drop = true
					}
				}
				if len(axes) == 0 && d < 0 {
					return Shape{}
				}
				if !drop {
					out = append(out, d)
				}
			}
			return MakeShape(out...)
		},
		"Reshape": func(a ruleArgs) Shape {
			dims, ok := a.constInts(1)
			if !ok {
				return Shape{}
			}
			in := a.in(0)
			if in.IsFullySpecified() {
				known, free := int64(1), -1
				for i, d := range dims {
					if d < 0 {
						free = i
					} else {
						known *= d
					}
				}
				if free >= 0 && known > 0 {
					dims = slices.Clone(dims)
					dims[free] = numElements(in.dims) / known
				}
			}
			return MakeShape(dims...)
		},
		"MatMul": func(a ruleArgs) Shape {
			x, y := a.in(0), a.in(1)
			rows, cols := int64(-1), int64(-1)
			if len(x.dims) == 2 {
				rows = x.dims[0]
				if a.attrBool("transpose_a") {
					rows = x.dims[1]
				}
			}
			if len(y.dims) == 2 {
				cols = y.dims[1]
				if a.attrBool("transpose_b") {
					cols = y.dims[0]
				}
			}
			return MakeShape(rows, cols)
		},
		"Transpose": func(a ruleArgs) Shape {
			in := a.in(0)
			perm, ok := a.constInts(1)
			if in.dims == nil || !ok || len(perm) != len(in.dims) {
				return Shape{}
			}
			out := make([]int64, len(perm))
			for i, p := range perm {
				if p < 0 || int(p) >= len(in.dims) {
					return Shape{}
				}
				out[i] = in.dims[p]
			}
			return MakeShape(out...)
		},
		"ArgMax": reduceAxis(false),
		"ArgMin": reduceAxis(false),
		"Sum":    reduceAxis(true),
		"Mean":   reduceAxis(true),
		"Max":    reduceAxis(true),
		"Min":    reduceAxis(true),
		"Prod":   reduceAxis(true),
		"All":    reduceAxis(true),
		"Any":    reduceAxis(true),
		"Pack": func(a ruleArgs) Shape {
			in := a.in(0)
			if in.dims == nil {
				return Shape{}
			}
			ax := int(a.attrInt("axis", 0))
			if ax < 0 {
				ax += len(in.dims) + 1
			}
			if ax < 0 || ax > len(in.dims) {
				return Shape{}
			}
			return MakeShape(slices.Insert(slices.Clone(in.dims), ax, int64(len(a.ins)))...)
		},
		"Fill": func(a ruleArgs) Shape {
			dims, ok := a.constInts(0)
			if !ok {
				return Shape{}
			}
			return MakeShape(dims...)
		},
		"ConcatV2": func(a ruleArgs) Shape {
			n := len(a.ins) - 1
			axis, ok := a.constInts(n)
			first := a.in(0)
			if !ok || len(axis) != 1 || first.dims == nil {
				return Shape{}
			}
			ax := int(axis[0])
			if ax < 0 {
				ax += len(first.dims)
			}
			if ax < 0 || ax >= len(first.dims) {
				return Shape{}
			}
			out := slices.Clone(first.dims)
			out[ax] = 0
			for i := range n {
				s := a.in(i)
				if len(s.dims) != len(out) || s.dims[ax] < 0 || out[ax] < 0 {
					out[ax] = -1
					continue
				}
				out[ax] += s.dims[ax]
			}
			return MakeShape(out...)
		},
	}
	m["Conv2D"] = windowRule(false, false)
	m["DepthwiseConv2dNative"] = windowRule(true, false)
	m["MaxPool"] = windowRule(false, true)
	m["AvgPool"] = windowRule(false, true)
	for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"} {
		m[op] = func(a ruleArgs) Shape {
			in := a.in(0)
			size, ok := a.constInts(1)
			out := []int64{-1, -1, -1, -1}
			if len(in.dims) == 4 {
				out[0], out[3] = in.dims[0], in.dims[3]
			}
			if ok && len(size) == 2 {
				out[1], out[2] = size[0], size[1]
			}
			return MakeShape(out...)
		}
	}
	for _, op := range []string{"Identity", "Cast", "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Exp", "Log",
		"Log1p", "Neg", "Abs", "Sqrt", "Rsqrt", "Square", "Softmax", "LogSoftmax", "Floor", "Ceil", "Round", "Sign",
		"Softplus", "Softsign", "StopGradient", "Snapshot", "CheckNumerics", "BiasAdd", "LeakyRelu", "ZerosLike",
		"OnesLike", "Reciprocal", "Inv", "Erf", "Sin", "Cos", "Tan", "LogicalNot", "IsNan", "IsInf", "IsFinite",
		"Bitcast", "ClipByValue", "LRN", "PreventGradient", "EnsureShape", "Invert", "Rint", "Expm1", "Atan",
		"Asin", "Acos", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Digamma", "Lgamma", "Real", "Imag", "Conj",
		"ReverseV2", "AdjustContrastv2", "AdjustSaturation", "AdjustHue", "RGBToHSV", "HSVToRGB"} {
		m[op] = sameAsInput
	}
	for _, op := range []string{"Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "DivNoNan", "Maximum", "Minimum", "Pow",
		"SquaredDifference", "FloorDiv", "FloorMod", "TruncateDiv", "TruncateMod", "Mod", "Equal", "NotEqual",
		"Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "Atan2", "Xdivy", "Xlogy",
		"MulNoNan", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "LeftShift", "RightShift"} {
		m[op] = broadcast
	}
	return m
}()

// windowRule is the rule of 2-D convolutions (kernel from the filter
// input, [kh, kw, in, out]) and pools (kernel from ksize), with the
// output sizes TensorFlow's GetWindowedOutputSize gives.
func windowRule(depthwise, pool bool) shapeRule {
	return func(a ruleArgs) Shape {
		in := a.in(0)
		if len(in.dims) != 4 {
			return Shape{}
		}
		attrs := graph.AttrsOf(a.n)
		c, err := tfshape.ReadConv2D(attrs, tfshape.Conv2DOptions{EqualStrides: depthwise})
		if err != nil {
			return Shape{}
		}
		n, h, w, ch := in.dims[0], in.dims[1], in.dims[2], in.dims[3]
		if c.NCHW {
			ch, h, w = in.dims[1], in.dims[2], in.dims[3]
		}
		kh, kw, outC := int64(-1), int64(-1), int64(-1)
		if pool {
			ksize, err := attrs.Ints("ksize", nil)
			if err != nil || len(ksize) != 4 {
				return Shape{}
			}
			kh, kw, outC = ksize[1], ksize[2], ch
			if c.NCHW {
				kh, kw = ksize[2], ksize[3]
			}
		} else if f := a.in(1); len(f.dims) == 4 {
			kh, kw, outC = f.dims[0], f.dims[1], f.dims[3]
			if depthwise {
				outC = -1
				if f.dims[2] >= 0 && f.dims[3] >= 0 {
					outC = f.dims[2] * f.dims[3]
				}
			}
		}
		oh := windowed(h, kh, c.DilationH, c.StrideH, c.Padding, c.PadTop, c.PadBottom)
		ow := windowed(w, kw, c.DilationW, c.StrideW, c.Padding, c.PadLeft, c.PadRight)
		if c.NCHW {
			return MakeShape(n, outC, oh, ow)
		}
		return MakeShape(n, oh, ow, outC)
	}
}

// windowed is tfshape.Windowed with -1 for sizes the inputs do not tell.
func windowed(in, k int64, dilation, stride int, p tfshape.Padding, before, after int) int64 {
	if in < 0 || (k < 0 && p != tfshape.PaddingSame) {
		return -1
	}
	out, _, _, err := tfshape.Windowed(int(in), int(max(k, 1)), dilation, stride, p, before, after)
	if err != nil {
		return -1
	}
	return int64(out)
}

func attrShape(name string) shapeRule {
	return func(a ruleArgs) Shape {
		dims, known, err := graph.AttrsOf(a.n).Shape(name)
		if err != nil || !known {
			return Shape{}
		}
		return MakeShape(dims...)
	}
}

func decodeImage(a ruleArgs) Shape {
	c := a.attrInt("channels", 0)
	if c == 0 {
		c = -1
	}
	return MakeShape(-1, -1, c)
}

// reduceAxis is the rule of reductions over constant axes (input 1);
// keep reads keep_dims, ArgMax and ArgMin (keep false) drop the axis.
func reduceAxis(keep bool) shapeRule {
	return func(a ruleArgs) Shape {
		in := a.in(0)
		axes, ok := a.constInts(1)
		if in.dims == nil || !ok {
			return Shape{}
		}
		keepDims := keep && a.attrBool("keep_dims")
		r := len(in.dims)
		drop := map[int]bool{}
		for _, ax := range axes {
			i := int(ax)
			if i < 0 {
				i += r
			}
			if i < 0 || i >= r {
				return Shape{}
			}
			drop[i] = true
		}
		var out []int64
		for i, d := range in.dims {
			switch {
			case !drop[i]:
				out = append(out, d)
			case keepDims:
				out = append(out, 1)
			}
		}
		return MakeShape(out...)
	}
}
