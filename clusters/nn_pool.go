package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// Pooling. ONNX wants it channels-first: NHWC tensors are taken in the
// NCHW layout and the results stay NCHW, so chains of pools and
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
}

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
	x, dt, ct, err := c.poolInput(op, k, perm)
	if err != nil {
		return err
	}
	attrs := map[string]any{"kernel_shape": kernel, "strides": p.strides, "ceil_mode": 0}
	if op == "AveragePool" {
		attrs["count_include_pad"] = 0
	}
	p.onnxPads(attrs, c.spatial(0, h, w), kernel)
	return c.poolOutput(op, []string{x}, attrs, ct, dt, perm)
}

// poolOutput emits the pool (or convolution) and makes its result, cast
// back from ct to the node's dtype dt and stored as perm, output 0.
func (c *Ctx) poolOutput(op string, ins []string, attrs map[string]any, ct, dt tensor.DType, perm []int) error {
	out, err := c.Op(op, ins, attrs)
	if err != nil {
		return err
	}
	if out, err = c.cast(out, ct, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// poolInput returns input 0 laid out as perm and cast to the type the
// pool computes in (ct, for the node's dtype dt). For a float MaxPool it
// raises NaN and anything lower to the dtype's lowest finite value:
// TensorFlow starts each window there and skips NaN, and ONNX's plain
// maximum then gives the same result. (The input goes third into Where,
// which keeps the sign of a zero there.)
func (c *Ctx) poolInput(op string, k kernelTypes, perm []int) (x string, dt, ct tensor.DType, err error) {
	if x, err = c.InputAs(0, perm); err != nil {
		return "", 0, 0, err
	}
	dt = c.In(0).DType
	ct, ok := k.of(dt)
	if !ok {
		return "", 0, 0, c.Fail("no ONNX kernel for %v", dt)
	}
	if x, err = c.cast(x, dt, ct); err != nil {
		return "", 0, 0, err
	}
	if op == "MaxPool" && dt.IsFloat() {
		f := &formula{c: c, dt: ct}
		low := f.scalar(lowestFinite(dt))
		x = f.op("Where", nil, f.op("Not", nil, f.op("Greater", nil, x, low)), low, x)
		err = f.err
	}
	return x, dt, ct, err
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
