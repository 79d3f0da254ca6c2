package conv

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// nchwToNHWC returns an NHWC copy of an NCHW array with the given
// dimensions.
func nchwToNHWC[T any](src []T, n, c, h, w int) []T {
	dst := make([]T, len(src))
	hw := h * w
	kernel.ParallelFor(n*h, w*c, func(lo, hi int) {
		for nh := lo; nh < hi; nh++ {
			b, y := nh/h, nh%h
			out := dst[nh*w*c : (nh+1)*w*c]
			in := src[b*c*hw+y*w:]
			for ch := 0; ch < c; ch++ {
				plane := in[ch*hw : ch*hw+w]
				for x, v := range plane {
					out[x*c+ch] = v
				}
			}
		}
	})
	return dst
}

// nhwcToNCHW returns an NCHW copy of an NHWC array with the given
// dimensions.
func nhwcToNCHW[T any](src []T, n, h, w, c int) []T {
	dst := make([]T, len(src))
	hw := h * w
	kernel.ParallelFor(n*c, hw, func(lo, hi int) {
		for nc := lo; nc < hi; nc++ {
			b, ch := nc/c, nc%c
			out := dst[nc*hw : (nc+1)*hw]
			in := src[b*hw*c+ch:]
			for i := range out {
				out[i] = in[i*c]
			}
		}
	})
	return dst
}

// floats returns a float tensor's values as []T, converting half and
// bfloat16 to float32. float32 and float64 data is returned without
// copying: do not modify it.
func floats[T float](t *tensor.Tensor) ([]T, error) {
	var zero T
	switch any(zero).(type) {
	case float32:
		v, err := kernel.Float32s(t)
		if err != nil {
			return nil, err
		}
		return any(v).([]T), nil
	default:
		v, ok := t.Data().([]float64)
		if !ok {
			return nil, fmt.Errorf("expected a float64 tensor, got %v", t.DType())
		}
		return any(v).([]T), nil
	}
}

// fromFloats builds a tensor of dtype dt from computed values, rounding
// float32 results to half or bfloat16 where dt asks for it.
func fromFloats[T float](dt tensor.DType, shape tensor.Shape, v []T) (*tensor.Tensor, error) {
	switch x := any(v).(type) {
	case []float32:
		return kernel.FromFloat32s(dt, shape, x)
	case []float64:
		return tensor.FromSlice(shape, x)
	}
	return nil, fmt.Errorf("unexpected element type %T", v)
}

// gemmKernelFor returns this process's GEMM kernel for T.
func gemmKernelFor[T float]() *gemmKernel[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(f32Kernel).(*gemmKernel[T])
	}
	return any(f64Kernel).(*gemmKernel[T])
}

// checkSameDType reports an error unless all tensors have dtype dt, as
// TensorFlow's type attribute T guarantees for the ops of this package.
func checkSameDType(dt tensor.DType, ts ...*tensor.Tensor) error {
	for i, t := range ts {
		if t.DType() != dt {
			return fmt.Errorf("input %d has dtype %v, want %v", i, t.DType(), dt)
		}
	}
	return nil
}

// dtypeOf reads a node's type attribute (name, usually "T") and checks it
// against the supported dtypes.
func dtypeOf(n *kernel.Node, name string, allowed ...tensor.DType) (tensor.DType, error) {
	dt, err := n.Attrs.Type(name, tensor.Invalid)
	if err != nil {
		return dt, err
	}
	if dt == tensor.Invalid {
		return dt, nil // taken from the inputs at run time
	}
	for _, a := range allowed {
		if a == dt {
			return dt, nil
		}
	}
	return dt, kernel.Unsupported("attribute %s: dtype %v", name, dt)
}

// operandDType returns the dtype of the operands ts (the first one's),
// after checking that it is one of allowed and that all of ts share it.
func operandDType(allowed []tensor.DType, ts ...*tensor.Tensor) (tensor.DType, error) {
	dt := ts[0].DType()
	if err := allowedDType(dt, allowed); err != nil {
		return dt, err
	}
	return dt, checkSameDType(dt, ts...)
}

// allowedDType reports an error unless dt is one of allowed.
func allowedDType(dt tensor.DType, allowed []tensor.DType) error {
	for _, a := range allowed {
		if a == dt {
			return nil
		}
	}
	return kernel.Unsupported("dtype %v", dt)
}
