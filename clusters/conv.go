package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// convTypes are the types of ONNX Runtime's CPU Conv (no double).
var convTypes = []tensor.DType{tensor.Float32, tensor.Float16}

// Convolutions, matrix products and the converter-fused ops built on them.
func init() {
	register(Entry{DTypes: convTypes, Check: convCheck, Translate: func(c *Ctx) error { return c.conv(false, nil) }}, "Conv2D")
	register(Entry{DTypes: convTypes, Check: convCheck, Translate: func(c *Ctx) error { return c.conv(true, nil) }}, "DepthwiseConv2dNative")
	register(Entry{DTypes: convTypes, Check: fusedCheck(convCheck), Translate: func(c *Ctx) error { return c.fused(false) }}, "_FusedConv2D")
	register(Entry{DTypes: convTypes, Check: fusedCheck(convCheck), Translate: func(c *Ctx) error { return c.fused(true) }},
		"FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative")
	register(Entry{DTypes: fastFloats, Translate: func(c *Ctx) error {
		out, err := c.matmul()
		if err != nil {
			return err
		}
		c.SetOutput(0, out)
		return nil
	}}, "MatMul")
	// TensorFlow's CPU kernel refuses half for _FusedMatMul.
	register(Entry{DTypes: wideFloats, Check: fusedCheck(nil), Translate: func(c *Ctx) error { return c.fusedMatMul() }}, "_FusedMatMul")
	register(Entry{DTypes: fastFloats, Check: batchMatMulCheck, Translate: func(c *Ctx) error { return c.batchMatMul() }},
		"BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
	register(Entry{DTypes: numericTypes, Translate: func(c *Ctx) error { return c.biasAdd() }}, "BiasAdd", "BiasAddV1")
}

// biasAdd adds a 1-D bias along the channel axis: the last one for NHWC
// (plain broadcasting, in whatever layout the value has), axis 1 for NCHW.
func (c *Ctx) biasAdd() error {
	if !c.isNCHW() {
		return c.Elementwise("Add", nil)
	}
	rank := c.In(0).Rank()
	if rank < 2 {
		return c.Fail("NCHW BiasAdd on rank %d", rank)
	}
	x, err := c.Input(0)
	if err != nil {
		return err
	}
	b, err := c.Input(1)
	if err != nil {
		return err
	}
	axes := make([]int, rank-2)
	for k := range axes {
		axes[k] = k + 1
	}
	if len(axes) > 0 {
		ax, err := c.Int64s(axes...)
		if err != nil {
			return err
		}
		if b, err = c.Op("Unsqueeze", []string{b, ax}, nil); err != nil {
			return err
		}
	}
	out, err := c.Op("Add", []string{x, b}, nil)
	c.SetOutput(0, out)
	return err
}

// convParams are a windowed op's attributes in the form ONNX takes them:
// H and W pairs, and pads as top, left, bottom, right.
type convParams struct {
	nchw      bool
	strides   []int // H, W
	dilations []int // H, W
	padding   tfshape.Padding
	explicit  []int // top, left, bottom, right
}

// readConvParams reads a Conv2D-like op's attributes as its kernel does
// (tfshape.ReadConv2D); what the kernel refuses stays on it.
func readConvParams(a graph.Attrs) (convParams, error) {
	c, err := tfshape.ReadConv2D(a, tfshape.Conv2DOptions{})
	if err != nil {
		return convParams{}, untranslatable("%v", err)
	}
	return convParams{nchw: c.NCHW, strides: []int{c.StrideH, c.StrideW}, dilations: []int{c.DilationH, c.DilationW},
		padding: c.Padding, explicit: []int{c.PadTop, c.PadLeft, c.PadBottom, c.PadRight}}, nil
}

// windowed returns the output size of spatial dimension d (0 for H, 1 for
// W) of an input of size in under a window of k, and the pads before and
// after it, as the kernel computes them (tfshape.Windowed).
func (p convParams) windowed(d, in, k int) (out, before, after int, err error) {
	out, before, after, err = tfshape.Windowed(in, k, p.dilations[d], p.strides[d], p.padding, p.explicit[d], p.explicit[d+2])
	if err != nil {
		err = untranslatable("%v", err)
	}
	return out, before, after, err
}

func convCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	_, err := readConvParams(a)
	return err
}

// onnxPads returns the Conv/Pool padding attributes: explicit pads when the
// spatial input size is known (TensorFlow's SAME puts the odd element at
// the end), else auto_pad.
func (p convParams) onnxPads(attrs map[string]any, inHW, kernel []int) {
	switch p.padding {
	case tfshape.PaddingValid:
		attrs["pads"] = []int64{0, 0, 0, 0}
	case tfshape.PaddingExplicit:
		attrs["pads"] = toInt64s(p.explicit)
	case tfshape.PaddingSame:
		if inHW == nil || inHW[0] < 0 || inHW[1] < 0 || kernel == nil {
			attrs["auto_pad"] = "SAME_UPPER"
			return
		}
		pads := make([]int64, 4)
		for d := 0; d < 2; d++ {
			_, before, after, err := p.windowed(d, inHW[d], kernel[d])
			if err != nil {
				attrs["auto_pad"] = "SAME_UPPER"
				return
			}
			pads[d], pads[d+2] = int64(before), int64(after)
		}
		attrs["pads"] = pads
	}
}

// inputLayout returns the layout ONNX's NCHW ops need for a tensor of the
// given data format, and the positions of H and W in its TF shape.
func (p convParams) inputLayout() (perm []int, h, w int) {
	if p.nchw {
		return nil, 2, 3
	}
	return NCHW, 1, 2
}

// spatial returns the H and W sizes of input i, or nil when unknown.
func (c *Ctx) spatial(i, h, w int) []int {
	s := c.In(i).Shape
	if len(s) != 4 {
		return nil
	}
	return []int{s[h], s[w]}
}

// convWeights returns the ONNX (OIHW) filter of a Conv2D (HWIO) or a
// depthwise convolution ([H, W, C, M] → [C·M, 1, H, W]), and the group
// count.
func (c *Ctx) convWeights(depthwise bool) (name string, group int, kernel []int, err error) {
	f := c.In(1)
	if len(f.Shape) != 4 {
		return "", 0, nil, c.Fail("filter of rank %d", len(f.Shape))
	}
	kh, kw, ci, co := f.Shape[0], f.Shape[1], f.Shape[2], f.Shape[3]
	kernel = []int{kh, kw}
	group = 1
	if depthwise {
		group, co, ci = ci, ci*co, 1
	}
	if !depthwise {
		p, _ := readConvParams(c.Attrs)
		cAxis := 3
		if p.nchw {
			cAxis = 1
		}
		if in := c.In(0).Shape; len(in) == 4 && in[cAxis] > 0 && ci > 0 && in[cAxis] != ci {
			if in[cAxis]%ci != 0 {
				return "", 0, nil, c.Fail("input depth %d is not a multiple of filter depth %d", in[cAxis], ci)
			}
			group = in[cAxis] / ci
		}
	}
	hwio := []int{3, 2, 0, 1}
	if f.Value != nil {
		t := f.Value
		if depthwise {
			if t, err = t.Reshape(tensor.Shape{kh, kw, 1, co}); err != nil {
				return "", 0, nil, err
			}
		}
		if t, err = tensor.Transpose(t, hwio); err != nil {
			return "", 0, nil, err
		}
		name, err = c.Const(t)
		return name, group, kernel, err
	}
	if name, err = c.Input(1); err != nil {
		return "", 0, nil, err
	}
	if depthwise {
		if slices.Contains(f.Shape, -1) {
			return "", 0, nil, c.Fail("depthwise filter of unknown shape")
		}
		shape, err := c.Int64s(kh, kw, 1, co)
		if err != nil {
			return "", 0, nil, err
		}
		if name, err = c.Op("Reshape", []string{name, shape}, nil); err != nil {
			return "", 0, nil, err
		}
	}
	name, err = c.Op("Transpose", []string{name}, map[string]any{"perm": hwio})
	return name, group, kernel, err
}

// conv emits a convolution with an optional bias and returns its output
// (stored NCHW for NHWC graphs).
func (c *Ctx) conv(depthwise bool, bias *string) error {
	v, err := c.convValue(depthwise, bias)
	if err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

func (c *Ctx) convValue(depthwise bool, bias *string) (Value, error) {
	p, err := readConvParams(c.Attrs)
	if err != nil {
		return Value{}, err
	}
	perm, h, w := p.inputLayout()
	x, err := c.InputAs(0, perm)
	if err != nil {
		return Value{}, err
	}
	wName, group, kernel, err := c.convWeights(depthwise)
	if err != nil {
		return Value{}, err
	}
	attrs := map[string]any{"strides": p.strides, "dilations": p.dilations, "group": group, "kernel_shape": kernel}
	p.onnxPads(attrs, c.spatial(0, h, w), kernel)
	ins := []string{x, wName}
	if bias != nil {
		ins = append(ins, *bias)
	}
	out, err := c.Op("Conv", ins, attrs)
	return Value{Name: out, Perm: perm}, err
}

// fusedOps reads a fused op's fused_ops list and num_args.
func fusedOps(a graph.Attrs) ([]string, int, error) {
	ops, err := a.Strings("fused_ops", nil)
	if err != nil {
		return nil, 0, err
	}
	n, err := a.Int("num_args", 0)
	return ops, int(n), err
}

// fusedCheck accepts the fused_ops combinations the converters emit.
func fusedCheck(base func(*tfpb.NodeDef, graph.Attrs) error) func(*tfpb.NodeDef, graph.Attrs) error {
	return func(n *tfpb.NodeDef, a graph.Attrs) error {
		if base != nil {
			if err := base(n, a); err != nil {
				return err
			}
		}
		ops, _, err := fusedOps(a)
		if err != nil {
			return err
		}
		for i, op := range ops {
			switch {
			case i == 0 && (op == "BiasAdd" || op == "FusedBatchNorm"):
			case i == 1 && op == "Add" && ops[0] == "BiasAdd":
			case i > 0 && activations[op]:
			case i == 0 && activations[op]:
			default:
				return untranslatable("fused_ops %v", ops)
			}
		}
		return nil
	}
}

var activations = map[string]bool{"Relu": true, "Relu6": true, "Elu": true, "LeakyRelu": true, "Prelu": true,
	"Sigmoid": true, "Tanh": true, "GeluExact": true, "GeluApproximate": true, "Identity": true}

// fused translates _FusedConv2D and the fused depthwise convolution: the
// convolution, then each of fused_ops on the previous result.
func (c *Ctx) fused(depthwise bool) error {
	ops, _, err := fusedOps(c.Attrs)
	if err != nil {
		return err
	}
	arg := 2 // the next unused args input
	var bias *string
	if len(ops) > 0 && ops[0] == "BiasAdd" {
		b, err := c.Input(arg)
		if err != nil {
			return err
		}
		bias, arg, ops = &b, arg+1, ops[1:]
	}
	v, err := c.convValue(depthwise, bias)
	if err != nil {
		return err
	}
	v, err = c.applyFused(v, ops, arg)
	if err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

// applyFused applies the remaining fused ops (FusedBatchNorm, Add, an
// activation) to v; extra operands start at input arg.
func (c *Ctx) applyFused(v Value, ops []string, arg int) (Value, error) {
	rank := c.Out(0).Rank()
	for _, op := range ops {
		var err error
		switch op {
		case "FusedBatchNorm":
			eps, err2 := c.Attrs.Float("epsilon", 1e-4)
			if err2 != nil {
				return Value{}, err2
			}
			if v.Perm == nil && rank == 4 && !c.isNCHW() {
				// Plain NHWC value: move to NCHW for BatchNormalization.
				name, err2 := c.b.as(v, NCHW, 4)
				if err2 != nil {
					return Value{}, err2
				}
				v = Value{Name: name, Perm: NCHW}
			}
			ins := []string{v.Name}
			for k := 0; k < 4; k++ {
				name, err2 := c.Input(arg + k)
				if err2 != nil {
					return Value{}, err2
				}
				ins = append(ins, name)
			}
			arg += 4
			var out string
			out, err = c.Op("BatchNormalization", ins, map[string]any{"epsilon": eps})
			v = Value{Name: out, Perm: v.Perm}
		case "Add":
			other, err2 := c.aligned(arg, v.Perm, rank)
			if err2 != nil {
				return Value{}, err2
			}
			arg++
			v, err = c.Chain(v, Step{Op: "Add", Extra: []string{other}})
		case "Prelu":
			alpha, err2 := c.aligned(arg, v.Perm, rank)
			if err2 != nil {
				return Value{}, err2
			}
			arg++
			v, err = c.Chain(v, Step{Op: "PRelu", Extra: []string{alpha}})
		default:
			v, err = c.activation(v, op)
		}
		if err != nil {
			return Value{}, err
		}
	}
	return v, nil
}

func (c *Ctx) isNCHW() bool {
	df, _ := c.Attrs.String("data_format", "NHWC")
	return df == "NCHW"
}

// activation applies a fused activation by TensorFlow's name.
func (c *Ctx) activation(v Value, op string) (Value, error) {
	switch op {
	case "Identity":
		return v, nil
	case "Relu", "Sigmoid", "Tanh", "Elu":
		return c.Chain(v, Step{Op: op})
	case "Relu6":
		return c.relu6(v)
	case "LeakyRelu":
		alpha, err := c.Attrs.Float("leakyrelu_alpha", 0.2)
		if err != nil {
			return Value{}, err
		}
		return c.Chain(v, Step{Op: "LeakyRelu", Attrs: map[string]any{"alpha": alpha}})
	case "GeluExact", "GeluApproximate":
		return c.gelu(v, op == "GeluApproximate")
	}
	return Value{}, c.Fail("fused activation %s", op)
}

// gelu composes GELU from opset-18 ops (ONNX's Gelu arrives in opset 20).
func (c *Ctx) gelu(v Value, approx bool) (Value, error) {
	dt := c.Out(0).DType
	k := func(x float64) string { name, _ := c.Scalar(dt, x); return name }
	half, one := k(0.5), k(1)
	var inner Value
	var err error
	if approx {
		cube := k(0.044715)
		x3, err2 := c.Chain(v, Step{Op: "Mul", Extra: []string{v.Name}}, Step{Op: "Mul", Extra: []string{v.Name}}, Step{Op: "Mul", Extra: []string{cube}})
		if err2 != nil {
			return Value{}, err2
		}
		inner, err = c.Chain(x3, Step{Op: "Add", Extra: []string{v.Name}}, Step{Op: "Mul", Extra: []string{k(math.Sqrt(2 / math.Pi))}}, Step{Op: "Tanh"})
	} else {
		inner, err = c.Chain(v, Step{Op: "Mul", Extra: []string{k(1 / math.Sqrt2)}}, Step{Op: "Erf"})
	}
	if err != nil {
		return Value{}, err
	}
	return c.Chain(inner, Step{Op: "Add", Extra: []string{one}}, Step{Op: "Mul", Extra: []string{v.Name}}, Step{Op: "Mul", Extra: []string{half}})
}

// matmul emits MatMul's product (2-D, with optional transposes) as Gemm.
func (c *Ctx) matmul() (string, error) {
	ta, err := c.Attrs.Bool("transpose_a", false)
	if err != nil {
		return "", err
	}
	tb, err := c.Attrs.Bool("transpose_b", false)
	if err != nil {
		return "", err
	}
	a, err := c.Input(0)
	if err != nil {
		return "", err
	}
	b, err := c.Input(1)
	if err != nil {
		return "", err
	}
	if !ta && !tb {
		return c.Op("MatMul", []string{a, b}, nil)
	}
	return c.Op("Gemm", []string{a, b}, map[string]any{"transA": boolInt(ta), "transB": boolInt(tb)})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fusedMatMul translates _FusedMatMul: a product, then BiasAdd and an
// activation.
func (c *Ctx) fusedMatMul() error {
	ops, _, err := fusedOps(c.Attrs)
	if err != nil {
		return err
	}
	out, err := c.matmul()
	if err != nil {
		return err
	}
	v := Value{Name: out}
	arg := 2
	if len(ops) > 0 && ops[0] == "BiasAdd" {
		b, err := c.Input(arg)
		if err != nil {
			return err
		}
		arg++
		if v, err = c.Chain(v, Step{Op: "Add", Extra: []string{b}}); err != nil {
			return err
		}
		ops = ops[1:]
	}
	if v, err = c.applyFused(v, ops, arg); err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

func batchMatMulCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	ta, err := a.Type("Ta", tensor.Invalid)
	if err != nil {
		return err
	}
	tb, _ := a.Type("Tb", tensor.Invalid)
	tout, _ := a.Type("Tout", tensor.Invalid)
	if ta != tb || ta != tout {
		return untranslatable("mixed types Ta=%v Tb=%v Tout=%v", ta, tb, tout)
	}
	return nil
}

// batchMatMul translates BatchMatMul*: adjoint flags become transposes of
// the last two axes (the types are real, so adjoint is transpose).
func (c *Ctx) batchMatMul() error {
	var ins [2]string
	for i, attr := range []string{"adj_x", "adj_y"} {
		adj, err := c.Attrs.Bool(attr, false)
		if err != nil {
			return err
		}
		name, err := c.Input(i)
		if err != nil {
			return err
		}
		if adj {
			r := c.In(i).Rank()
			if r < 2 {
				return c.Fail("input %d has rank %d", i, r)
			}
			perm := identityPerm(r)
			perm[r-2], perm[r-1] = perm[r-1], perm[r-2]
			if name, err = c.Op("Transpose", []string{name}, map[string]any{"perm": perm}); err != nil {
				return err
			}
		}
		ins[i] = name
	}
	out, err := c.Op("MatMul", ins[:], nil)
	c.SetOutput(0, out)
	return err
}
