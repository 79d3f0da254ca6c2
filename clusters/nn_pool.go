package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// Pooling, batch normalization, LRN, image resizing and the transposed
// convolution. ONNX wants these channels-first: NHWC tensors are taken in
// the NCHW layout and the results stay NCHW, so chains of them and of
// convolutions need no transposes in between.
func init() {
	maxPool := kernelTypes{native: []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Uint8}, widen: widenExact}
	// TensorFlow's MaxPool has no uint32/uint64 kernels.
	maxPoolTypes := maxPool.dtypesOf(slices.DeleteFunc(slices.Clone(realTypes), func(d tensor.DType) bool { return d == tensor.Uint32 || d == tensor.Uint64 }))
	register(Entry{DTypes: maxPoolTypes, Check: poolCheck(true),
		Translate: func(c *Ctx) error { return c.pool("MaxPool", maxPool, false) }}, "MaxPool")
	// MaxPoolV2's window and strides are inputs; ONNX needs them as
	// attributes.
	register(Entry{DTypes: maxPoolTypes, Check: poolCheck(false),
		Translate: func(c *Ctx) error { return c.pool("MaxPool", maxPool, true) }}, "MaxPoolV2")
	// ONNX Runtime's AveragePool is float-only; double would lose
	// precision through float.
	avgPool := kernelTypes{native: []tensor.DType{tensor.Float32}}
	register(Entry{DTypes: avgPool.dtypes(), Check: poolCheck(false),
		Translate: func(c *Ctx) error { return c.pool("AveragePool", avgPool, false) }}, "AvgPool")

	// TensorFlow computes half and bfloat16 batch norms in float, with
	// float statistics (U); so does the translation.
	register(Entry{DTypes: []tensor.DType{tensor.Float32}, Check: batchNormCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(false) }}, "FusedBatchNorm")
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: batchNormCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(false) }}, "FusedBatchNormV2", "FusedBatchNormV3")
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: batchNormExCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(true) }}, "_FusedBatchNormEx")

	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Translate: func(c *Ctx) error { return c.lrn() }}, "LRN")

	// The output size is static: it fixes the output shape, and ONNX
	// Resize wants every dimension of it.
	register(Entry{DTypes: resizeTypes, Check: resizeCheck,
		Translate: func(c *Ctx) error { return c.resizeBilinear() }}, "ResizeBilinear")
	register(Entry{DTypes: resizeTypes, Check: resizeCheck,
		Translate: func(c *Ctx) error { return c.resizeNearest() }}, "ResizeNearestNeighbor")

	// input_sizes is static: it fixes the output shape and the padding.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: convCheck,
		Translate: func(c *Ctx) error { return c.convBackpropInput() }}, "Conv2DBackpropInput")
}

// resizeTypes are the input types of TensorFlow's ResizeBilinear (whose
// output is float) and ResizeNearestNeighbor.
var resizeTypes = append(slices.Clone(floatTypes), tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.Uint16)

// poolWindow reads a pool's ksize and strides (in data_format order) and
// checks that only H and W are pooled.
func poolWindow(ksize, strides []int, nchw bool) (kernel, stride []int, err error) {
	if len(ksize) != 4 || len(strides) != 4 {
		return nil, nil, untranslatable("ksize and strides need 4 values")
	}
	n, h, w, ch := 0, 1, 2, 3
	if nchw {
		h, w, ch = 2, 3, 1
	}
	if ksize[n] != 1 || strides[n] != 1 || ksize[ch] != 1 || strides[ch] != 1 {
		return nil, nil, untranslatable("pooling across the batch or depth (ksize %v, strides %v)", ksize, strides)
	}
	kernel, stride = []int{ksize[h], ksize[w]}, []int{strides[h], strides[w]}
	for _, v := range append(slices.Clone(kernel), stride...) {
		if v <= 0 {
			return nil, nil, untranslatable("non-positive window (ksize %v, strides %v)", ksize, strides)
		}
	}
	return kernel, stride, nil
}

// poolParams reads a pooling node's attributes into the convolution's
// form; ksize and strides come from the attributes unless given.
func poolParams(a graph.Attrs, ksize, strides []int) (convParams, []int, error) {
	var p convParams
	df, err := a.String("data_format", "NHWC")
	if err != nil {
		return p, nil, err
	}
	if df != "NHWC" && df != "NCHW" {
		return p, nil, untranslatable("data_format %s", df)
	}
	p.nchw = df == "NCHW"
	if ksize == nil {
		k, err := a.Ints("ksize", nil)
		if err != nil {
			return p, nil, err
		}
		s, err := a.Ints("strides", nil)
		if err != nil {
			return p, nil, err
		}
		ksize, strides = int64sToInts(k), int64sToInts(s)
	}
	kernel, stride, err := poolWindow(ksize, strides, p.nchw)
	if err != nil {
		return p, nil, err
	}
	p.strides, p.dilations = stride, []int{1, 1}
	ps, err := a.String("padding", "VALID")
	if err != nil {
		return p, nil, err
	}
	if p.padding, err = tfshape.ParsePadding(ps); err != nil {
		return p, nil, untranslatable("%v", err)
	}
	explicit, err := a.Ints("explicit_paddings", nil)
	if err != nil {
		return p, nil, err
	}
	top, bottom, left, right, err := tfshape.ExplicitPaddings(explicit, p.padding, p.nchw)
	if err != nil {
		return p, nil, untranslatable("%v", err)
	}
	p.explicit = []int{top, left, bottom, right}
	for i, v := range p.explicit {
		// ONNX Runtime wants pads smaller than the window, so no window
		// lies wholly in the padding.
		if v >= kernel[i%2] {
			return p, nil, untranslatable("explicit padding %v not smaller than the window %v", p.explicit, kernel)
		}
	}
	return p, kernel, nil
}

func int64sToInts(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// poolCheck vets a pool's attributes; window attributes are checked only
// where they are attributes (not MaxPoolV2's inputs). Only MaxPool has
// EXPLICIT padding.
func poolCheck(explicit bool) func(*tfpb.NodeDef, graph.Attrs) error {
	return func(n *tfpb.NodeDef, a graph.Attrs) error {
		var ksize, strides []int
		if n.GetOp() == "MaxPoolV2" {
			ksize, strides = []int{1, 1, 1, 1}, []int{1, 1, 1, 1}
		}
		p, _, err := poolParams(a, ksize, strides)
		if err != nil {
			return err
		}
		if p.padding == tfshape.PaddingExplicit && !explicit {
			return untranslatable("padding EXPLICIT")
		}
		return nil
	}
}

// pool emits MaxPool or AveragePool. AveragePool leaves the padding out
// of the count (count_include_pad=0) as TensorFlow does; SAME padding is
// explicit, with the odd element at the end.
func (c *Ctx) pool(op string, k kernelTypes, windowInputs bool) error {
	var ksize, strides []int
	if windowInputs {
		var err error
		if ksize, err = c.StaticInts(1); err != nil {
			return err
		}
		if strides, err = c.StaticInts(2); err != nil {
			return err
		}
	}
	p, kernel, err := poolParams(c.Attrs, ksize, strides)
	if err != nil {
		return err
	}
	if c.In(0).Rank() != 4 {
		return c.Fail("input of rank %d", c.In(0).Rank())
	}
	perm, h, w := p.inputLayout()
	x, err := c.InputAs(0, perm)
	if err != nil {
		return err
	}
	dt := c.In(0).DType
	ct, ok := k.of(dt)
	if !ok {
		return c.Fail("no ONNX kernel for %v", dt)
	}
	if x, err = c.cast(x, dt, ct); err != nil {
		return err
	}
	if op == "MaxPool" && dt.IsFloat() {
		// TensorFlow starts each window at the type's lowest finite value
		// and skips NaN: raising NaN and anything lower to that value
		// gives ONNX's plain maximum the same result. (The input goes
		// third into Where, which keeps the sign of a zero there.)
		f := &formula{c: c, dt: ct}
		low := f.scalar(lowestFinite(dt))
		x = f.op("Where", nil, f.op("Not", nil, f.op("Greater", nil, x, low)), low, x)
		if f.err != nil {
			return f.err
		}
	}
	attrs := map[string]any{"kernel_shape": kernel, "strides": p.strides, "ceil_mode": 0}
	if op == "AveragePool" {
		attrs["count_include_pad"] = 0
	}
	p.onnxPads(attrs, c.spatial(0, h, w), kernel)
	out, err := c.Op(op, []string{x}, attrs)
	if err != nil {
		return err
	}
	if out, err = c.cast(out, ct, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// lowestFinite returns the lowest finite value of a float type.
func lowestFinite(dt tensor.DType) float64 {
	switch dt {
	case tensor.Float16:
		return -65504
	case tensor.BFloat16:
		return float64(tensor.BF16(0xff7f).Float32())
	case tensor.Float64:
		return -math.MaxFloat64
	}
	return -math.MaxFloat32
}

func batchNormCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	training, err := a.Bool("is_training", true)
	if err != nil {
		return err
	}
	if training {
		return untranslatable("is_training=true")
	}
	u, err := a.Type("U", tensor.Float32)
	if err != nil {
		return err
	}
	if u != tensor.Float32 {
		return untranslatable("U=%v", u)
	}
	df, err := a.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	if !slices.Contains([]string{"NHWC", "NCHW", "NDHWC", "NCDHW"}, df) {
		return untranslatable("data_format %s", df)
	}
	return nil
}

func batchNormExCheck(n *tfpb.NodeDef, a graph.Attrs) error {
	if err := batchNormCheck(n, a); err != nil {
		return err
	}
	sides, err := a.Int("num_side_inputs", 0)
	if err != nil {
		return err
	}
	if sides < 0 || sides > 1 {
		return untranslatable("num_side_inputs=%d", sides)
	}
	mode, err := a.String("activation_mode", "Identity")
	if err != nil {
		return err
	}
	if !slices.Contains([]string{"Identity", "Relu", "Relu6", "Elu", "LeakyRelu"}, mode) {
		return untranslatable("activation_mode %s", mode)
	}
	return nil
}

// batchNorm translates the fused batch norms in inference mode as
// BatchNormalization in float, channels-first (NHWC and NDHWC inputs are
// taken permuted). _FusedBatchNormEx then adds its side input and applies
// its activation, both in float as TensorFlow does. Outputs 1 and 2 are
// the given mean and variance; the reserve-space outputs are not
// translated, so a cluster that uses them fails to translate.
func (c *Ctx) batchNorm(ex bool) error {
	rank := c.In(0).Rank()
	if rank != 4 && rank != 5 {
		return c.Fail("input of rank %d", rank)
	}
	df, err := c.Attrs.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	var perm []int
	if df == "NHWC" || df == "NDHWC" {
		perm = append([]int{0, rank - 1}, identityPerm(rank - 1)[1:]...)
	}
	eps, err := c.Attrs.Float("epsilon", 1e-4)
	if err != nil {
		return err
	}
	dt := c.In(0).DType
	x, err := c.InputAs(0, perm)
	if err != nil {
		return err
	}
	if x, err = c.cast(x, dt, tensor.Float32); err != nil {
		return err
	}
	ins := []string{x}
	for i := 1; i < 5; i++ {
		name, err := c.Input(i)
		if err != nil {
			return err
		}
		ins = append(ins, name)
	}
	out, err := c.Op("BatchNormalization", ins, map[string]any{"epsilon": eps})
	if err != nil {
		return err
	}
	if ex {
		if out, err = c.batchNormEx(out, perm, dt); err != nil {
			return err
		}
	}
	if out, err = c.cast(out, tensor.Float32, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	for i := 1; i <= 2; i++ {
		v, err := c.Raw(i + 2)
		if err != nil {
			return err
		}
		c.SetOutputValue(i, v)
	}
	return nil
}

// batchNormEx adds _FusedBatchNormEx's side input and applies its
// activation to the float result y, stored as perm.
func (c *Ctx) batchNormEx(y string, perm []int, dt tensor.DType) (string, error) {
	sides, err := c.Attrs.Int("num_side_inputs", 0)
	if err != nil {
		return "", err
	}
	f := &formula{c: c, dt: tensor.Float32}
	if sides == 1 {
		side, err := c.InputAs(5, perm)
		if err != nil {
			return "", err
		}
		if side, err = c.cast(side, dt, tensor.Float32); err != nil {
			return "", err
		}
		y = f.op("Add", nil, y, side)
	}
	mode, err := c.Attrs.String("activation_mode", "Identity")
	if err != nil {
		return "", err
	}
	switch mode {
	case "Relu", "Elu":
		y = f.op(mode, nil, y)
	case "Relu6":
		y = f.op("Clip", nil, y, f.scalar(0), f.scalar(6))
	case "LeakyRelu":
		alpha, err := c.Attrs.Float("leakyrelu_alpha", 0.2)
		if err != nil {
			return "", err
		}
		y = f.op("LeakyRelu", map[string]any{"alpha": alpha}, y)
	}
	return y, f.err
}

// lrn translates LRN over the channels of a 4-D NHWC tensor. ONNX sums
// the squares over size = 2·depth_radius+1 channels centred on each, like
// TensorFlow, but divides alpha by size: the alpha it gets is TensorFlow's
// times size.
func (c *Ctx) lrn() error {
	if c.In(0).Rank() != 4 {
		return c.Fail("input of rank %d", c.In(0).Rank())
	}
	r, err := c.Attrs.Int("depth_radius", 5)
	if err != nil {
		return err
	}
	bias, err := c.Attrs.Float("bias", 1)
	if err != nil {
		return err
	}
	alpha, err := c.Attrs.Float("alpha", 1)
	if err != nil {
		return err
	}
	beta, err := c.Attrs.Float("beta", 0.5)
	if err != nil {
		return err
	}
	size := 2*r + 1
	x, err := c.InputAs(0, NCHW)
	if err != nil {
		return err
	}
	dt := c.In(0).DType
	if x, err = c.cast(x, dt, tensor.Float32); err != nil {
		return err
	}
	out, err := c.Op("LRN", []string{x}, map[string]any{"size": size, "alpha": float32(float64(alpha) * float64(size)), "beta": beta, "bias": bias})
	if err != nil {
		return err
	}
	if out, err = c.cast(out, tensor.Float32, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: NCHW})
	return nil
}

func resizeCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	align, err := a.Bool("align_corners", false)
	if err != nil {
		return err
	}
	half, err := a.Bool("half_pixel_centers", false)
	if err != nil {
		return err
	}
	if align && half {
		return untranslatable("align_corners with half_pixel_centers")
	}
	return nil
}

// resizeShape returns the input and output sizes of a 4-D NHWC resize,
// whose size input must be static.
func (c *Ctx) resizeShape() (in, out []int, err error) {
	if _, err := c.StaticInts(1); err != nil {
		return nil, nil, err
	}
	in, out = c.In(0).Shape, c.Out(0).Shape
	if len(in) != 4 || len(out) != 4 || slices.Contains(in, -1) || slices.Contains(out, -1) {
		return nil, nil, c.Fail("resize of shape %v to %v", in, out)
	}
	return in, out, nil
}

// resizeBilinear converts the image to float (TensorFlow interpolates in
// float) and resizes it with ONNX's linear mode. TensorFlow's coordinate
// rules are ONNX's align_corners, half_pixel and asymmetric modes; both
// clamp the source coordinate to the image. It works on NHWC or NCHW
// values as stored; ONNX Runtime implements both.
func (c *Ctx) resizeBilinear() error {
	in, out, err := c.resizeShape()
	if err != nil {
		return err
	}
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	perm := v.Perm
	x := v.Name
	if perm != nil && !slices.Equal(perm, NCHW) {
		perm = nil
		if x, err = c.Input(0); err != nil {
			return err
		}
	}
	if x, err = c.cast(x, c.In(0).DType, tensor.Float32); err != nil {
		return err
	}
	if !slices.Equal(in[1:3], out[1:3]) {
		// TensorFlow copies same-size images; interpolation would turn
		// infinities into NaN.
		mode := "asymmetric"
		if align, _ := c.Attrs.Bool("align_corners", false); align {
			mode = "align_corners"
		} else if half, _ := c.Attrs.Bool("half_pixel_centers", false); half {
			mode = "half_pixel"
		}
		stored := make([]int, 4)
		for j := range stored {
			stored[j] = out[j]
			if perm != nil {
				stored[j] = out[perm[j]]
			}
		}
		sizes, err := c.Int64s(stored...)
		if err != nil {
			return err
		}
		if x, err = c.Op("Resize", []string{x, "", "", sizes}, map[string]any{
			"mode": "linear", "coordinate_transformation_mode": mode, "antialias": 0, "exclude_outside": 0,
		}); err != nil {
			return err
		}
	}
	c.SetOutputValue(0, Value{Name: x, Perm: perm})
	return nil
}

// resizeNearest gathers the rows and columns TensorFlow's nearest-neighbour
// rules pick, computed here exactly as TensorFlow computes them (in
// float32): bit-exact where ONNX Resize's nearest modes could round a
// coordinate that lands on an integer differently. Gather works in any
// layout and on every type.
func (c *Ctx) resizeNearest() error {
	in, out, err := c.resizeShape()
	if err != nil {
		return err
	}
	align, err := c.Attrs.Bool("align_corners", false)
	if err != nil {
		return err
	}
	half, err := c.Attrs.Bool("half_pixel_centers", false)
	if err != nil {
		return err
	}
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	x := v.Name
	for _, axis := range []int{1, 2} {
		idx := nearestIndices(in[axis], out[axis], align, half)
		if len(idx) == in[axis] && isIdentity(idx) {
			continue
		}
		ind, err := c.Int64s(idx...)
		if err != nil {
			return err
		}
		if x, err = c.Op("Gather", []string{x, ind}, map[string]any{"axis": axisIn(axis, 4, v.Perm)}); err != nil {
			return err
		}
	}
	c.SetOutputValue(0, Value{Name: x, Perm: v.Perm})
	return nil
}

// nearestIndices returns the source index of each of outSize positions,
// as TensorFlow's ResizeNearestNeighbor computes it (scale and coordinate
// in float32, each product rounded).
func nearestIndices(inSize, outSize int, align, half bool) []int {
	scale := float32(inSize) / float32(outSize)
	if align && inSize > 1 && outSize > 1 {
		scale = float32(inSize-1) / float32(outSize-1)
	}
	idx := make([]int, outSize)
	for i := range idx {
		var src float32
		if half {
			src = float32((float32(i) + 0.5) * scale)
		} else {
			src = float32(float32(i) * scale)
		}
		var k int
		if align {
			k = int(math.Round(float64(src)))
		} else {
			k = int(math.Floor(float64(src)))
		}
		k = min(k, inSize-1)
		if half {
			k = max(k, 0)
		}
		idx[i] = k
	}
	return idx
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
