package nn

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// realTypes are the dtypes of MaxPoolWithArgmax and Dilation2D
// (realnumbertype).
var realTypes = kernel.RealTypes()

// window2D is an NHWC window op's validated strides, rates and padding.
type window2D struct {
	kh, kw, sh, sw, rh, rw int
	padding                tfshape.Padding
}

// readWindow2D reads a 4-value attribute pair that moves only over rows
// and columns (ksize or rates, and strides) and the padding.
func readWindow2D(n *kernel.Node, sizeAttr string) (window2D, error) {
	var w window2D
	size, err := attrInts(n, sizeAttr)
	if err != nil {
		return w, err
	}
	strides, err := attrInts(n, "strides")
	if err != nil {
		return w, err
	}
	if err := checkWindow(size, strides); err != nil {
		return w, fmt.Errorf("attributes %q/\"strides\": %w", sizeAttr, err)
	}
	if size[3] != 1 || strides[3] != 1 {
		return w, fmt.Errorf("windows across the depth: %w", kernel.ErrUnsupported)
	}
	w.sh, w.sw = strides[1], strides[2]
	if sizeAttr == "rates" {
		w.rh, w.rw = size[1], size[2]
	} else {
		w.kh, w.kw, w.rh, w.rw = size[1], size[2], 1, 1
	}
	ps, err := n.Attrs.String("padding", "")
	if err != nil {
		return w, err
	}
	if w.padding, err = tfshape.ParsePadding(ps); err != nil || w.padding == tfshape.PaddingExplicit {
		return w, kernel.Invalid("attribute padding %q", ps)
	}
	return w, nil
}

// output returns the output size and the padding before it of an h×w
// input.
func (w window2D) output(h, wd int) (oh, ow, top, left int, err error) {
	if oh, top, _, err = tfshape.Windowed(h, w.kh, w.rh, w.sh, w.padding, 0, 0); err != nil {
		return
	}
	ow, left, _, err = tfshape.Windowed(wd, w.kw, w.rw, w.sw, w.padding, 0, 0)
	return
}

// newMaxPoolWithArgmax makes MaxPoolWithArgmax: NHWC max pooling that
// also returns where each maximum is, as the flat index
// ((b·h + y)·w + x)·c + ch (without the batch term unless
// include_batch_in_index). Each window starts from its first element and
// moves to a later one only when it is greater, so the first maximum in
// row-major order wins and a NaN is kept only where it comes first, as in
// TensorFlow's CPU kernel.
func newMaxPoolWithArgmax(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", realTypes); err != nil {
		return nil, err
	}
	w, err := readWindow2D(n, "ksize")
	if err != nil {
		return nil, err
	}
	argType, err := n.Attrs.Type("Targmax", tensor.Int64)
	if err != nil {
		return nil, err
	}
	if argType != tensor.Int32 && argType != tensor.Int64 {
		return nil, kernel.Unsupported("attribute Targmax %v", argType)
	}
	withBatch, err := n.Attrs.Bool("include_batch_in_index", false)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if err := checkDType(x, realTypes); err != nil {
			return nil, err
		}
		s := x.Shape()
		if len(s) != 4 {
			return nil, kernel.Invalid("input must be 4-dimensional, got shape %v", s)
		}
		g := argmaxGeom{n: s[0], h: s[1], w: s[2], c: s[3], kh: w.kh, kw: w.kw, sh: w.sh, sw: w.sw, withBatch: withBatch}
		if g.oh, g.ow, g.top, g.left, err = w.output(g.h, g.w); err != nil {
			return nil, err
		}
		shape := tensor.Shape{g.n, g.oh, g.ow, g.c}
		if err := tensor.CheckAlloc(tensor.Int64, shape); err != nil {
			return nil, err
		}
		var out *tensor.Tensor
		var arg []int
		switch v := x.Data().(type) {
		case []float32:
			out, arg, err = argmaxPool(&g, v, float32(-math.MaxFloat32))
		case []float64:
			out, arg, err = argmaxPool(&g, v, -math.MaxFloat64)
		case []int8:
			out, arg, err = argmaxPool(&g, v, int8(math.MinInt8))
		case []int16:
			out, arg, err = argmaxPool(&g, v, int16(math.MinInt16))
		case []int32:
			out, arg, err = argmaxPool(&g, v, int32(math.MinInt32))
		case []int64:
			out, arg, err = argmaxPool(&g, v, int64(math.MinInt64))
		case []uint8:
			out, arg, err = argmaxPool(&g, v, uint8(0))
		case []uint16:
			out, arg, err = argmaxPool(&g, v, uint16(0))
		case []uint32:
			out, arg, err = argmaxPool(&g, v, uint32(0))
		case []uint64:
			out, arg, err = argmaxPool(&g, v, uint64(0))
		case []tensor.F16, []tensor.BF16:
			// Both convert to float32 exactly, so maxima are exact.
			var f []float32
			if f, err = kernel.Float32s(x); err != nil {
				return nil, err
			}
			if out, arg, err = argmaxPool(&g, f, lowestFloat32(x.DType())); err == nil {
				out, err = kernel.FromFloat32s(x.DType(), shape, tensor.Values[float32](out))
			}
		default:
			return nil, kernel.Unsupported("dtype %v", x.DType())
		}
		if err != nil {
			return nil, err
		}
		idx, err := kernel.IntsTensor(argType, arg)
		if err != nil {
			return nil, err
		}
		if idx, err = idx.Reshape(shape); err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out, idx}, nil
	}, nil
}

// argmaxGeom is one MaxPoolWithArgmax call's geometry.
type argmaxGeom struct {
	n, h, w, c, kh, kw, sh, sw int
	oh, ow, top, left          int
	withBatch                  bool
}

// realNumber is the element types compared natively.
type realNumber interface {
	float32 | float64 | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

func argmaxPool[T realNumber](g *argmaxGeom, x []T, lowest T) (*tensor.Tensor, []int, error) {
	shape := tensor.Shape{g.n, g.oh, g.ow, g.c}
	out := make([]T, shape.NumElements())
	arg := make([]int, len(out))
	kernel.ParallelFor(g.n*g.oh, g.ow*g.c*g.kh*g.kw, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			b, oy := r/g.oh, r%g.oh
			y0 := oy*g.sh - g.top
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.left
				for ch := 0; ch < g.c; ch++ {
					m, at := lowest, -1
					for y := max(y0, 0); y < min(y0+g.kh, g.h); y++ {
						for xx := max(x0, 0); xx < min(x0+g.kw, g.w); xx++ {
							i := ((b*g.h+y)*g.w+xx)*g.c + ch
							if v := x[i]; at < 0 || v > m {
								m, at = v, i
							}
						}
					}
					o := (r*g.ow+ox)*g.c + ch
					out[o] = m
					if at >= 0 && !g.withBatch {
						at -= b * g.h * g.w * g.c
					}
					arg[o] = at
				}
			}
		}
	})
	t, err := tensor.FromSlice(shape, out)
	return t, arg, err
}

// dilationTypes are the real number types but the 64-bit integers, whose
// sums float64 cannot hold exactly.
var dilationTypes = []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32, tensor.Float64,
	tensor.Int8, tensor.Int16, tensor.Int32, tensor.Uint8, tensor.Uint16, tensor.Uint32}

// newDilation2D makes Dilation2D, grayscale morphological dilation: each
// output is the maximum over the (dilated) window of input + filter,
// over the elements inside the input only, as TensorFlow's CPU kernel
// computes it.
func newDilation2D(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", dilationTypes); err != nil {
		return nil, err
	}
	w, err := readWindow2D(n, "rates")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		x, f := in[0], in[1]
		if err := checkDType(x, dilationTypes); err != nil {
			return nil, err
		}
		if f.DType() != x.DType() {
			return nil, fmt.Errorf("filter has dtype %v, input %v", f.DType(), x.DType())
		}
		xs, fs := x.Shape(), f.Shape()
		if len(xs) != 4 {
			return nil, kernel.Invalid("input must be 4-dimensional, got shape %v", xs)
		}
		if len(fs) != 3 {
			return nil, kernel.Invalid("filter must be 3-dimensional, got shape %v", fs)
		}
		if fs[2] != xs[3] {
			return nil, kernel.Invalid("input and filter must have the same depth: %d vs %d", xs[3], fs[2])
		}
		ww := w
		ww.kh, ww.kw = fs[0], fs[1]
		oh, ow, top, left, err := ww.output(xs[1], xs[2])
		if err != nil {
			return nil, err
		}
		shape := tensor.Shape{xs[0], oh, ow, xs[3]}
		if err := tensor.CheckAlloc(x.DType(), shape); err != nil {
			return nil, err
		}
		// Sums in float64 are exact for these types, and rounded once to
		// the dtype as TensorFlow's sums in it are (integers saturate
		// where TensorFlow's wrap around).
		xv, err := tensor.Float64s(x)
		if err != nil {
			return nil, err
		}
		fv, err := tensor.Float64s(f)
		if err != nil {
			return nil, err
		}
		out := make([]float64, shape.NumElements())
		lowest := lowestOf(x.DType())
		c := xs[3]
		for b := 0; b < xs[0]; b++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					for ch := 0; ch < c; ch++ {
						// A window wholly in the padding keeps the
						// dtype's lowest value.
						m := lowest
						for dy := 0; dy < fs[0]; dy++ {
							y := oy*w.sh + dy*w.rh - top
							if y < 0 || y >= xs[1] {
								continue
							}
							for dx := 0; dx < fs[1]; dx++ {
								xx := ox*w.sw + dx*w.rw - left
								if xx < 0 || xx >= xs[2] {
									continue
								}
								m = max(m, xv[((b*xs[1]+y)*xs[2]+xx)*c+ch]+fv[(dy*fs[1]+dx)*c+ch])
							}
						}
						out[((b*oh+oy)*ow+ox)*c+ch] = m
					}
				}
			}
		}
		t, err := tensor.FromFloat64s(x.DType(), shape, out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}

// lowestOf is the lowest finite value of a real dtype, as float64.
func lowestOf(dt tensor.DType) float64 {
	switch dt {
	case tensor.Float64:
		return -math.MaxFloat64
	case tensor.Float32, tensor.Float16, tensor.BFloat16:
		return float64(lowestFloat32(dt))
	case tensor.Int8:
		return math.MinInt8
	case tensor.Int16:
		return math.MinInt16
	case tensor.Int32:
		return math.MinInt32
	}
	return 0 // unsigned
}
