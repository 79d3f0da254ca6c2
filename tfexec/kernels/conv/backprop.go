package conv

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// backpropTypes are the dtypes TensorFlow registers Conv2DBackpropInput
// for on the CPU.
var backpropTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16, tensor.Int32}

// bpLabel prefixes Conv2DBackpropInput's shape errors, as TensorFlow's do.
const bpLabel = "Conv2DBackpropInput"

func newBackpropInput(n *kernel.Node) (kernel.Kernel, error) {
	attrs, err := parseConvAttrs(n, convAttrOpts{})
	if err != nil {
		return nil, err
	}
	if _, err := dtypeOf(n, "T", backpropTypes...); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		out, err := backpropInput(attrs, in)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// backpropInputShape computes the gradient's shape from input_sizes, which
// holds either the full 4-D shape or just its height and width.
func backpropInputShape(attrs convAttrs, sizes *tensor.Tensor, fs, dys tensor.Shape) (tensor.Shape, error) {
	if sizes.Rank() != 1 {
		return nil, fmt.Errorf("%s: input_sizes input must be 1-dim, not %d", bpLabel, sizes.Rank())
	}
	v, err := kernel.Ints(sizes)
	if err != nil {
		return nil, fmt.Errorf("%s: input_sizes: %w", bpLabel, err)
	}
	switch len(v) {
	case 4:
		for i, d := range v {
			if d < 0 {
				return nil, fmt.Errorf("%s: dimension %d of input_sizes must be >= 0, got %d", bpLabel, i, d)
			}
		}
		return tensor.Shape(v), nil
	case 2:
		if v[0] < 0 || v[1] < 0 {
			return nil, fmt.Errorf("%s: elements of input_sizes must be >= 0, not %dx%d", bpLabel, v[0], v[1])
		}
		if len(dys) != 4 || len(fs) != 4 {
			return nil, fmt.Errorf("%s: filter and out_backprop must be 4-dimensional", bpLabel)
		}
		n, _, _, _ := attrs.nhwcDims(dys)
		return tensor.Shape(attrs.shape(n, v[0], v[1], fs[2])), nil
	}
	return nil, fmt.Errorf("%s requires input_sizes to contain 4 values or 2 values, but got: %d", bpLabel, len(v))
}

func backpropInput(attrs convAttrs, in []*tensor.Tensor) (*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	sizes, filter, dy := in[0], in[1], in[2]
	dt, err := operandDType(backpropTypes, filter, dy)
	if err != nil {
		return nil, err
	}
	xShape, err := backpropInputShape(attrs, sizes, filter.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	// input_sizes is data: the gradient may be far larger than the inputs.
	if err := tensor.CheckAlloc(dt, xShape); err != nil {
		return nil, err
	}
	if xShape.NumElements() == 0 {
		return tensor.New(dt, xShape)
	}
	g, err := backpropGeometry(attrs, xShape, filter.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	// The column buffer holds at least one row of output pixels' taps
	// (backpropGemm goes in chunks of colBudget elements); the integer
	// path holds every row at once.
	colRows := 1
	if dt == tensor.Int32 {
		colRows = g.n * g.oh
	}
	if err := tensor.CheckAlloc(dt, tensor.Shape{colRows, g.ow, g.kh * g.kw * g.cin}); err != nil {
		return nil, err
	}
	switch dt {
	case tensor.Float64:
		return backpropFloat[float64](attrs, g, filter, dy, xShape)
	case tensor.Int32:
		fs, dys := tensor.Values[int32](filter), tensor.Values[int32](dy)
		if attrs.NCHW {
			dys = nchwToNHWC(dys, g.n, g.coutAll, g.oh, g.ow)
		}
		dx := make([]int32, xShape.NumElements())
		directBackprop(g, fs, dys, dx)
		if attrs.NCHW {
			dx = nhwcToNCHW(dx, g.n, g.h, g.w, g.c)
		}
		return tensor.FromSlice(xShape, dx)
	default:
		return backpropFloat[float32](attrs, g, filter, dy, xShape)
	}
}

// backpropGeometry checks the shapes of a Conv2DBackpropInput as
// TensorFlow's ConvBackpropComputeDimensionsV2 does, returning the
// geometry of the forward convolution.
func backpropGeometry(attrs convAttrs, xs, fs, dys tensor.Shape) (geometry, error) {
	if len(fs) != 4 {
		return geometry{}, fmt.Errorf("%s: filter must be 4-dimensional", bpLabel)
	}
	if len(dys) != 4 {
		return geometry{}, fmt.Errorf("%s: out_backprop must be 4-dimensional", bpLabel)
	}
	n, h, w, c := attrs.nhwcDims(xs)
	dn, doh, dow, dc := attrs.nhwcDims(dys)
	if n != dn {
		return geometry{}, fmt.Errorf("%s: input and out_backprop must have the same batch size. Input batch: %d, outbackprop batch: %d", bpLabel, n, dn)
	}
	kh, kw, cin, cout := fs[0], fs[1], fs[2], fs[3]
	if cin <= 0 {
		return geometry{}, fmt.Errorf("%s: filter depth must be strictly greater than zero", bpLabel)
	}
	if c%cin != 0 {
		return geometry{}, fmt.Errorf("%s: input depth must be evenly divisible by filter depth", bpLabel)
	}
	if cout != dc {
		return geometry{}, fmt.Errorf("%s: filter and out_backprop must have the same out_depth", bpLabel)
	}
	g, err := attrs.geometry(n, h, w, c, kh, kw)
	if err != nil {
		return g, fmt.Errorf("%s: %w", bpLabel, err)
	}
	for i, d := range [][2]int{{doh, g.oh}, {dow, g.ow}} {
		if d[0] != d[1] {
			in, k, s, dil := h, kh, attrs.StrideH, attrs.DilationH
			if i == 1 {
				in, k, s, dil = w, kw, attrs.StrideW, attrs.DilationW
			}
			dim := i + 1
			if attrs.NCHW {
				dim = i + 2
			}
			return g, fmt.Errorf("%s: Size of out_backprop doesn't match computed: actual = %d, computed = %d spatial_dim: %d input: %d filter: %d output: %d stride: %d dilation: %d",
				bpLabel, d[0], d[1], dim, in, k, d[0], s, dil)
		}
	}
	if c != cin {
		return g, fmt.Errorf("%s: computed input depth %d doesn't match filter input depth %d", bpLabel, c, cin)
	}
	g.cin, g.coutAll, g.groups = cin, cout, 1
	return g, nil
}

func backpropFloat[T float](attrs convAttrs, g geometry, filter, dy *tensor.Tensor, xShape tensor.Shape) (*tensor.Tensor, error) {
	fs, err := floats[T](filter)
	if err != nil {
		return nil, err
	}
	dys, err := floats[T](dy)
	if err != nil {
		return nil, err
	}
	if attrs.NCHW {
		dys = nchwToNHWC(dys, g.n, g.coutAll, g.oh, g.ow)
	}
	dx := make([]T, xShape.NumElements())
	backpropGemm(gemmKernelFor[T](), g, fs, dys, dx)
	if attrs.NCHW {
		dx = nhwcToNCHW(dx, g.n, g.h, g.w, g.c)
	}
	return fromFloats(filter.DType(), xShape, dx)
}

// colBudget bounds the elements of the column buffer of backpropGemm.
const colBudget = 1 << 22

// backpropGemm computes the input gradient of an NHWC convolution: the
// product of out_backprop (rows are output pixels) and the transposed
// filter gives, for every output pixel, what each filter tap sends back to
// the input pixel under it (a column matrix), which col2im then sums into
// dx. Output rows are processed in chunks that bound the column buffer.
func backpropGemm[T float](kn *gemmKernel[T], g geometry, filter, dy, dx []T) {
	k := g.kh * g.kw * g.cin
	rowsPerChunk := max(1, colBudget/max(1, g.ow*k)) // output rows (of ow pixels)
	totalRows := g.n * g.oh
	col := make([]T, min(rowsPerChunk, totalRows)*g.ow*k)
	for r0 := 0; r0 < totalRows; r0 += rowsPerChunk {
		r1 := min(r0+rowsPerChunk, totalRows)
		m := (r1 - r0) * g.ow
		op := gemmOp[T]{
			kern: kn, m: m, n: k, k: g.coutAll,
			a: matView[T]{data: dy, off: r0 * g.ow * g.coutAll, rs: g.coutAll, cs: 1},
			b: matView[T]{data: filter, rs: 1, cs: g.coutAll},
			c: col[:m*k], ldc: k,
		}
		op.run()
		col2im(g, col, r0, r1, dx)
	}
}

// col2im adds the column matrix of output rows [r0, r1) (row index
// b·oh + y) into dx. Each task owns whole dx rows and gathers what the
// chunk's output pixels send them, so tasks never write the same memory.
func col2im[T float | int32](g geometry, col []T, r0, r1 int, dx []T) {
	k := g.kh * g.kw * g.cin
	b0, b1 := r0/g.oh, (r1-1)/g.oh+1
	kernel.ParallelFor((b1-b0)*g.h, g.kh*g.ow*g.kw*g.cin, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			b, ih := b0+t/g.h, t%g.h
			dxRow := dx[(b*g.h+ih)*g.w*g.c:][:g.w*g.c]
			for khi := 0; khi < g.kh; khi++ {
				num := ih + g.padT - khi*g.dh
				if num < 0 || num%g.sh != 0 {
					continue
				}
				oh := num / g.sh
				r := b*g.oh + oh
				if oh >= g.oh || r < r0 || r >= r1 {
					continue
				}
				colRow := col[(r-r0)*g.ow*k:]
				for ow := 0; ow < g.ow; ow++ {
					cols := colRow[ow*k+khi*g.kw*g.cin:]
					for kwi := 0; kwi < g.kw; kwi++ {
						iw := ow*g.sw - g.padL + kwi*g.dw
						if iw < 0 || iw >= g.w {
							continue
						}
						addTo(dxRow[iw*g.c:iw*g.c+g.cin], cols[kwi*g.cin:kwi*g.cin+g.cin])
					}
				}
			}
		}
	})
}

// directBackprop computes the input gradient of an NHWC convolution with
// wrapping integer arithmetic.
func directBackprop(g geometry, filter, dy, dx []int32) {
	k := g.kh * g.kw * g.cin
	totalRows := g.n * g.oh
	col := make([]int32, totalRows*g.ow*k)
	kernel.ParallelFor(totalRows*g.ow, k*g.coutAll, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := dy[i*g.coutAll : (i+1)*g.coutAll]
			out := col[i*k : (i+1)*k]
			for p := range out {
				f := filter[p*g.coutAll : (p+1)*g.coutAll]
				var s int32
				for co, v := range d {
					s += v * f[co]
				}
				out[p] = s
			}
		}
	})
	col2im(g, col, 0, totalRows, dx)
}

// addTo adds src to dst elementwise, vectorised for float32.
func addTo[T float | int32](dst, src []T) {
	if d32, ok := any(dst).([]float32); ok {
		vec.add(d32, any(src).([]float32))
		return
	}
	for j, v := range src {
		dst[j] += v
	}
}
