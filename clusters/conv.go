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

// Convolutions, the transposed convolution and the converter-fused
// convolutions. ONNX wants these channels-first: NHWC tensors are taken in
// the NCHW layout and the results stay NCHW, so chains of them (and of
// pools and batch norms) need no transposes in between.
func init() {
	register(Entry{DTypes: convTypes, Check: convCheck, Translate: func(c *Ctx) error { return c.conv(false, nil) }}, "Conv2D")
	register(Entry{DTypes: convTypes, Check: convCheck, Translate: func(c *Ctx) error { return c.conv(true, nil) }}, "DepthwiseConv2dNative")
	register(Entry{DTypes: convTypes, Check: fusedCheck(convCheck), Translate: func(c *Ctx) error { return c.fused(false) }}, "_FusedConv2D")
	register(Entry{DTypes: convTypes, Check: fusedCheck(convCheck), Translate: func(c *Ctx) error { return c.fused(true) }},
		"FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative")

	// input_sizes is static: it fixes the output shape and the padding.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: convCheck,
		Translate: func(c *Ctx) error { return c.convBackpropInput() }}, "Conv2DBackpropInput")
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

// convBackpropInput translates Conv2DBackpropInput as ConvTranspose. The
// forward convolution's padding becomes the transpose's pads, and
// output_padding adds the rows and columns the forward convolution never
// read (VALID and EXPLICIT strides that do not divide evenly). The filter
// [H, W, in, out] is ConvTranspose's [out, in, H, W].
func (c *Ctx) convBackpropInput() error {
	if _, err := c.StaticInts(0); err != nil {
		return err
	}
	p, err := readConvParams(c.Attrs)
	if err != nil {
		return err
	}
	perm, h, w := p.inputLayout()
	cAxis := 3
	if p.nchw {
		cAxis = 1
	}
	xs, fs, dys := c.Out(0).Shape, c.In(1).Shape, c.In(2).Shape
	if len(xs) != 4 || len(fs) != 4 || len(dys) != 4 || slices.Contains(xs, -1) || slices.Contains(fs, -1) || slices.Contains(dys, -1) {
		return c.Fail("shapes %v, %v, %v", xs, fs, dys)
	}
	kernel := []int{fs[0], fs[1]}
	if xs[cAxis] != fs[2] {
		return c.Fail("input depth %d differs from filter depth %d", xs[cAxis], fs[2])
	}
	in, outSize := []int{xs[h], xs[w]}, []int{dys[h], dys[w]}
	var pads [4]int // top, left, bottom, right
	outPad := make([]int, 2)
	for d := 0; d < 2; d++ {
		out, before, after, err := p.windowed(d, in[d], kernel[d])
		if err != nil {
			return err
		}
		if out != outSize[d] {
			return c.Fail("out_backprop size %v does not match the convolution of %v", outSize, in)
		}
		pads[d], pads[d+2] = before, after
		span := (kernel[d]-1)*p.dilations[d] + 1
		outPad[d] = in[d] - ((outSize[d]-1)*p.strides[d] + span - pads[d] - pads[d+2])
		if outPad[d] < 0 || outPad[d] >= max(p.strides[d], p.dilations[d]) {
			return c.Fail("output size %v does not fit the convolution geometry", in)
		}
	}
	dt := c.In(2).DType
	dy, err := c.InputAs(2, perm)
	if err != nil {
		return err
	}
	if dy, err = c.cast(dy, dt, tensor.Float32); err != nil {
		return err
	}
	filter, err := c.backpropFilter(dt)
	if err != nil {
		return err
	}
	out, err := c.Op("ConvTranspose", []string{dy, filter}, map[string]any{
		"kernel_shape": kernel, "strides": p.strides, "dilations": p.dilations, "group": 1,
		"pads": pads[:], "output_padding": outPad,
	})
	if err != nil {
		return err
	}
	if out, err = c.cast(out, tensor.Float32, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// backpropFilter returns Conv2DBackpropInput's filter as a float
// ConvTranspose weight, rearranged at translation time when static.
func (c *Ctx) backpropFilter(dt tensor.DType) (string, error) {
	hwio := []int{3, 2, 0, 1}
	if t := c.In(1).Value; t != nil {
		t, err := tensor.Transpose(t, hwio)
		if err != nil {
			return "", err
		}
		name, err := c.Const(t)
		if err != nil {
			return "", err
		}
		return c.cast(name, dt, tensor.Float32)
	}
	name, err := c.Input(1)
	if err != nil {
		return "", err
	}
	if name, err = c.Op("Transpose", []string{name}, map[string]any{"perm": hwio}); err != nil {
		return "", err
	}
	return c.cast(name, dt, tensor.Float32)
}
