package elementwise

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func clippable(dt tensor.DType) bool {
	return dt.IsNumeric()
}

// newClipByValue prepares ClipByValue(t, clip_value_min, clip_value_max):
// max(min(t, max), min) elementwise with C++'s std::min/std::max, so a
// NaN in t stays NaN and a NaN bound is ignored. Each bound is a scalar or
// has t's shape. Complex values are clipped per component.
func newClipByValue(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkTypeAttr(n, "T", clippable); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x, lo, hi := in[0], in[1], in[2]
		ok := func(b *tensor.Tensor) bool { return b.Shape().Equal(x.Shape()) || b.Rank() == 0 }
		if !ok(lo) || !ok(hi) {
			return nil, kernel.Invalid("clip_value_min and clip_value_max must be either of the same shape as input, or a scalar. input shape: %vclip_value_min shape: %vclip_value_max shape: %v", x.Shape(), lo.Shape(), hi.Shape())
		}
		if lo.DType() != x.DType() || hi.DType() != x.DType() {
			return nil, kernel.Invalid("ClipByValue dtypes differ: t %v, clip_value_min %v, clip_value_max %v", x.DType(), lo.DType(), hi.DType())
		}
		out, err := clipAny(x, lo, hi)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func clipAny(x, lo, hi *tensor.Tensor) (*tensor.Tensor, error) {
	s := x.Shape()
	switch x.DType() {
	case tensor.Float32:
		return tensor.FromSlice(s, clipTyped(vals3[float32](x, lo, hi)))
	case tensor.Float64:
		return tensor.FromSlice(s, clipTyped(vals3[float64](x, lo, hi)))
	case tensor.Int8:
		return tensor.FromSlice(s, clipTyped(vals3[int8](x, lo, hi)))
	case tensor.Int16:
		return tensor.FromSlice(s, clipTyped(vals3[int16](x, lo, hi)))
	case tensor.Int32:
		return tensor.FromSlice(s, clipTyped(vals3[int32](x, lo, hi)))
	case tensor.Int64:
		return tensor.FromSlice(s, clipTyped(vals3[int64](x, lo, hi)))
	case tensor.Uint8:
		return tensor.FromSlice(s, clipTyped(vals3[uint8](x, lo, hi)))
	case tensor.Uint16:
		return tensor.FromSlice(s, clipTyped(vals3[uint16](x, lo, hi)))
	case tensor.Uint32:
		return tensor.FromSlice(s, clipTyped(vals3[uint32](x, lo, hi)))
	case tensor.Uint64:
		return tensor.FromSlice(s, clipTyped(vals3[uint64](x, lo, hi)))
	case tensor.Complex64:
		return tensor.FromSlice(s, clipComplex(vals3[complex64](x, lo, hi)))
	case tensor.Complex128:
		return tensor.FromSlice(s, clipComplex(vals3[complex128](x, lo, hi)))
	case tensor.Float16, tensor.BFloat16:
		// Clipping only selects values, so float32 staging is exact.
		xv, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		lv, err := kernel.Float32s(lo)
		if err != nil {
			return nil, err
		}
		hv, err := kernel.Float32s(hi)
		if err != nil {
			return nil, err
		}
		return kernel.FromFloat32s(x.DType(), s, clipTyped(xv, lv, hv))
	}
	return nil, kernel.Unsupported("ClipByValue on dtype %v", x.DType())
}

func vals3[T tensor.Element](x, lo, hi *tensor.Tensor) ([]T, []T, []T) {
	return tensor.Values[T](x), tensor.Values[T](lo), tensor.Values[T](hi)
}

// clamp is std::max(std::min(v, hi), lo).
func clamp[T realT](v, lo, hi T) T {
	if hi < v {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// clipTyped clips x; lo and hi have one element or len(x).
func clipTyped[T realT](x, lo, hi []T) []T {
	dst := make([]T, len(x))
	kernel.ParallelFor(len(x), costCheap*2, func(a, b int) {
		switch {
		case len(lo) == 1 && len(hi) == 1:
			l, h := lo[0], hi[0]
			each(dst[a:b], x[a:b], func(v T) T { return clamp(v, l, h) })
		default:
			for i := a; i < b; i++ {
				l, h := lo[0], hi[0]
				if len(lo) > 1 {
					l = lo[i]
				}
				if len(hi) > 1 {
					h = hi[i]
				}
				dst[i] = clamp(x[i], l, h)
			}
		}
	})
	return dst
}

// clipComplex clips the real and imaginary parts separately, as if the
// bounds formed a box in the complex plane.
func clipComplex[T complexT](x, lo, hi []T) []T {
	dst := make([]T, len(x))
	kernel.ParallelFor(len(x), costCheap*4, func(a, b int) {
		for i := a; i < b; i++ {
			l, h := lo[0], hi[0]
			if len(lo) > 1 {
				l = lo[i]
			}
			if len(hi) > 1 {
				h = hi[i]
			}
			v := complex128(x[i])
			lc, hc := complex128(l), complex128(h)
			dst[i] = T(complex(clamp(real(v), real(lc), real(hc)), clamp(imag(v), imag(lc), imag(hc))))
		}
	})
	return dst
}
