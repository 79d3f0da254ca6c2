package reduce

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// scanFactory prepares Cumsum or Cumprod: inputs (x, axis), attributes
// exclusive, reverse (both false by default), T and Tidx.
func scanFactory(prod bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		exclusive, err := n.Attrs.Bool("exclusive", false)
		if err != nil {
			return nil, err
		}
		reverse, err := n.Attrs.Bool("reverse", false)
		if err != nil {
			return nil, err
		}
		if err := kernel.CheckTypeAttr(n, "T", numberDTypes); err != nil {
			return nil, err
		}
		if _, err := indexTypeAttr(n, "Tidx", tensor.Int32, tensor.Int32, tensor.Int64); err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			out, err := scanTensor(in[0], in[1], prod, exclusive, reverse)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// scanLayout is a scan viewed as [outer, n, inner] with the scan running
// along n.
type scanLayout struct {
	outer, n, inner    int
	prod               bool
	exclusive, reverse bool
}

// scanTensor computes the cumulative sum or product of x along axis.
func scanTensor(x, axisT *tensor.Tensor, prod, exclusive, reverse bool) (*tensor.Tensor, error) {
	if !allowed(numberDTypes, x.DType()) {
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	if axisT.Rank() != 0 {
		return nil, kernel.Invalid("ScanOp: axis must be a scalar, not %v", axisT.Shape())
	}
	axes, err := kernel.Ints(axisT)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	rank := len(shape)
	axis := axes[0]
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, kernel.Invalid("ScanOp: Expected scan axis in the range [%d, %d), but got %d", -rank, rank, axis)
	}
	if x.NumElements() == 0 {
		return tensor.New(x.DType(), shape)
	}
	l := scanLayout{
		outer: tensor.Shape(shape[:axis]).NumElements(), n: shape[axis],
		inner: tensor.Shape(shape[axis+1:]).NumElements(),
		prod:  prod, exclusive: exclusive, reverse: reverse,
	}
	switch v := x.Data().(type) {
	case []float32:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []float64:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []int8:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []int16:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []int32:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []int64:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []uint8:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []uint16:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []uint32:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []uint64:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []complex64:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []complex128:
		return tensor.FromSlice(shape, scanNumbers(l, v))
	case []tensor.F16:
		return tensor.FromSlice(shape, scanRounded(l, v, tensor.F16.Float32, tensor.NewF16))
	case []tensor.BF16:
		return tensor.FromSlice(shape, scanRounded(l, v, tensor.BF16.Float32, tensor.NewBF16))
	}
	return nil, kernel.Unsupported("dtype %v", x.DType())
}

// scanBlock is the number of inner columns one parallel work unit scans.
const scanBlock = 512

// scanNumbers scans row by row: each output row combines the previous
// output row with the current (inclusive) or previous (exclusive) input
// row, so the inner loop runs over contiguous memory. Work is split over
// outer slices and blocks of inner columns.
func scanNumbers[T number](l scanLayout, src []T) []T {
	dst := make([]T, len(src))
	blocks := (l.inner + scanBlock - 1) / scanBlock
	kernel.ParallelFor(l.outer*blocks, l.n*min(l.inner, scanBlock), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, b := u/blocks, u%blocks
			c0, c1 := b*scanBlock, min((b+1)*scanBlock, l.inner)
			base := o * l.n * l.inner
			if l.inner == 1 {
				scanVector(l, src[base:base+l.n], dst[base:base+l.n])
				continue
			}
			var prevOut, prevIn []T
			for k := 0; k < l.n; k++ {
				r := k
				if l.reverse {
					r = l.n - 1 - k
				}
				off := base + r*l.inner
				in, out := src[off+c0:off+c1], dst[off+c0:off+c1]
				switch {
				case k == 0 && l.exclusive:
					if l.prod {
						fill(out, 1)
					}
				case k == 0 && l.prod:
					copy(out, in)
				case k == 0:
					addZero(out, in)
				case l.exclusive:
					combineRows(out, prevOut, prevIn, l.prod)
				default:
					combineRows(out, prevOut, in, l.prod)
				}
				prevOut, prevIn = out, in
			}
		}
	})
	return dst
}

// addZero stores 0 + in: Eigen starts every scan from the identity, which
// turns -0 into +0 in a cumulative sum.
func addZero[T number](out, in []T) {
	in = in[:len(out)]
	var zero T
	for i, x := range in {
		out[i] = zero + x
	}
}

func combineRows[T number](out, a, b []T, prod bool) {
	a, b = a[:len(out)], b[:len(out)]
	if prod {
		for i := range out {
			out[i] = a[i] * b[i]
		}
		return
	}
	for i := range out {
		out[i] = a[i] + b[i]
	}
}

// scanVector scans one contiguous vector.
func scanVector[T number](l scanLayout, src, dst []T) {
	var acc T
	if l.prod {
		acc = 1
	}
	n := len(src)
	dst = dst[:n]
	if !l.reverse {
		for i, x := range src {
			if l.exclusive {
				dst[i] = acc
			}
			if l.prod {
				acc *= x
			} else {
				acc += x
			}
			if !l.exclusive {
				dst[i] = acc
			}
		}
		return
	}
	for i := n - 1; i >= 0; i-- {
		x := src[i]
		if l.exclusive {
			dst[i] = acc
		}
		if l.prod {
			acc *= x
		} else {
			acc += x
		}
		if !l.exclusive {
			dst[i] = acc
		}
	}
}

// scanRounded scans half or bfloat16 values rounding after every step, as
// Eigen's half and bfloat16 arithmetic (computed in float32, rounded back)
// does in TensorFlow's sequential scan.
func scanRounded[H tensor.F16 | tensor.BF16](l scanLayout, src []H, widen func(H) float32, round func(float32) H) []H {
	dst := make([]H, len(src))
	var one H = round(1)
	kernel.ParallelFor(l.outer*l.inner, l.n*4, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, j := u/l.inner, u%l.inner
			base := o*l.n*l.inner + j
			var acc H
			if l.prod {
				acc = one
			}
			for k := 0; k < l.n; k++ {
				r := k
				if l.reverse {
					r = l.n - 1 - k
				}
				i := base + r*l.inner
				if l.exclusive {
					dst[i] = acc
				}
				if l.prod {
					acc = round(widen(acc) * widen(src[i]))
				} else {
					acc = round(widen(acc) + widen(src[i]))
				}
				if !l.exclusive {
					dst[i] = acc
				}
			}
		}
	})
	return dst
}
