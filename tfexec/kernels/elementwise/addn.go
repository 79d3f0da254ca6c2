package elementwise

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newAddN prepares AddN: the elementwise sum of N same-shape tensors of a
// number type.
func newAddN(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkTypeAttr(n, "T", func(dt tensor.DType) bool { return dt.IsNumeric() }); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, kernel.Invalid("AddN needs at least one input")
		}
		x0 := in[0]
		for i, x := range in[1:] {
			if !x.Shape().Equal(x0.Shape()) {
				return nil, kernel.Invalid("Inputs to operation AddN of type AddN must have the same size and shape.  Input 0: %v != input %d: %v", x0.Shape(), i+1, x.Shape())
			}
			if x.DType() != x0.DType() {
				return nil, kernel.Invalid("AddN input %d has dtype %v, input 0 has %v", i+1, x.DType(), x0.DType())
			}
		}
		if len(in) == 1 {
			return []*tensor.Tensor{x0}, nil
		}
		out, err := addNAny(in)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func addNAny(in []*tensor.Tensor) (*tensor.Tensor, error) {
	shape := in[0].Shape()
	switch in[0].DType() {
	case tensor.Float32:
		return tensor.FromSlice(shape, addN(values[float32](in)))
	case tensor.Float64:
		return tensor.FromSlice(shape, addN(values[float64](in)))
	case tensor.Int8:
		return tensor.FromSlice(shape, addN(values[int8](in)))
	case tensor.Int16:
		return tensor.FromSlice(shape, addN(values[int16](in)))
	case tensor.Int32:
		return tensor.FromSlice(shape, addN(values[int32](in)))
	case tensor.Int64:
		return tensor.FromSlice(shape, addN(values[int64](in)))
	case tensor.Uint8:
		return tensor.FromSlice(shape, addN(values[uint8](in)))
	case tensor.Uint16:
		return tensor.FromSlice(shape, addN(values[uint16](in)))
	case tensor.Uint32:
		return tensor.FromSlice(shape, addN(values[uint32](in)))
	case tensor.Uint64:
		return tensor.FromSlice(shape, addN(values[uint64](in)))
	case tensor.Complex64:
		return tensor.FromSlice(shape, addN(values[complex64](in)))
	case tensor.Complex128:
		return tensor.FromSlice(shape, addN(values[complex128](in)))
	case tensor.Float16:
		return tensor.FromSlice(shape, addNHalf(values[tensor.F16](in)))
	case tensor.BFloat16:
		return tensor.FromSlice(shape, addNHalf(values[tensor.BF16](in)))
	}
	return nil, kernel.Unsupported("AddN on dtype %v", in[0].DType())
}

func values[T tensor.Element](in []*tensor.Tensor) [][]T {
	out := make([][]T, len(in))
	for i, t := range in {
		out[i] = tensor.Values[T](t)
	}
	return out
}

// addNGroups returns how TensorFlow's AddN groups its inputs: a first
// group of 2 to 9 inputs summed left to right (into the output), then
// groups of 8 summed left to right and added to the output. The grouping
// fixes the rounding order, so floats match TensorFlow's bit for bit.
func addNGroups(n int) (first int) {
	switch r := n % 8; r {
	case 0:
		return 8
	case 1:
		return 9
	default:
		return r
	}
}

func addN[T numberT](in [][]T) []T {
	n := len(in[0])
	dst := make([]T, n)
	first := addNGroups(len(in))
	kernel.ParallelFor(n, len(in), func(lo, hi int) {
		d := dst[lo:hi]
		copy(d, in[0][lo:hi])
		for _, x := range in[1:first] {
			zip(d, d, x[lo:hi], func(a, b T) T { return a + b })
		}
		if first == len(in) {
			return
		}
		var buf [chunk]T
		for i := 0; i < len(d); i += chunk {
			j := min(i+chunk, len(d))
			t := buf[:j-i]
			for g := first; g < len(in); g += 8 {
				copy(t, in[g][lo+i:lo+j])
				for _, x := range in[g+1 : g+8] {
					zip(t, t, x[lo+i:lo+j], func(a, b T) T { return a + b })
				}
				zip(d[i:j], d[i:j], t, func(a, b T) T { return a + b })
			}
		}
	})
	return dst
}

// addNHalf is addN for half types: like Eigen's half arithmetic, every
// single addition is rounded to H.
func addNHalf[H halfT](in [][]H) []H {
	n := len(in[0])
	dst := make([]H, n)
	first := addNGroups(len(in))
	kernel.ParallelFor(n, len(in)+costHalf, func(lo, hi int) {
		var acc, t, x [chunk]float32
		for i := lo; i < hi; i += chunk {
			j := min(i+chunk, hi)
			m := j - i
			sum := func(dst []float32, group [][]H) {
				toFloat32(dst, group[0][i:j])
				for _, g := range group[1:] {
					toFloat32(x[:m], g[i:j])
					for k := range dst {
						dst[k] = roundHalf[H](dst[k] + x[k])
					}
				}
			}
			sum(acc[:m], in[:first])
			for g := first; g < len(in); g += 8 {
				sum(t[:m], in[g:g+8])
				for k := range m {
					acc[k] = roundHalf[H](acc[k] + t[k])
				}
			}
			fromFloat32(dst[i:j], acc[:m])
		}
	})
	return dst
}

// roundHalf rounds v to H's precision and returns it as float32.
func roundHalf[H halfT](v float32) float32 {
	var h H
	switch any(h).(type) {
	case tensor.F16:
		return tensor.NewF16(v).Float32()
	default:
		return tensor.NewBF16(v).Float32()
	}
}
