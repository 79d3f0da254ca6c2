package nn

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// addable is the element types BiasAdd adds natively; half and bfloat16
// are staged through float32.
type addable interface {
	tensor.Number | complex64 | complex128
}

// newBiasAdd prepares BiasAdd and BiasAddV1 (which has no data_format and
// is always channels-last).
func newBiasAdd(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkTypeAttr(n, "T", numberTypes); err != nil {
		return nil, err
	}
	format := channelsLast
	if n.Op() == "BiasAdd" {
		f, err := parseFormat(n, "NHWC", "NHWC", "NCHW")
		if err != nil {
			return nil, err
		}
		format = f
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := biasAdd(in[0], in[1], format)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func biasAdd(x, b *tensor.Tensor, format dataFormat) (*tensor.Tensor, error) {
	shape := x.Shape()
	rank := len(shape)
	if rank < 2 {
		return nil, fmt.Errorf("input tensor must be at least 2-D, got shape %v", shape)
	}
	if b.Rank() != 1 {
		return nil, fmt.Errorf("biases must be 1-D, got shape %v", b.Shape())
	}
	if x.DType() != b.DType() {
		return nil, fmt.Errorf("bias dtype %v does not match input dtype %v", b.DType(), x.DType())
	}
	axis := rank - 1
	if format == channelsFirst {
		axis = 1
		if rank > 5 {
			return nil, fmt.Errorf("NCHW BiasAdd supports ranks up to 5, got shape %v", shape)
		}
	}
	c := shape[axis]
	if b.Shape()[0] != c {
		return nil, fmt.Errorf("must provide as many biases as the channel dimension of the input tensor: bias shape %v vs. input shape %v", b.Shape(), shape)
	}
	inner := 1
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	switch xv := x.Data().(type) {
	case []float32:
		return biasAddTyped(shape, xv, b.Data().([]float32), c, inner)
	case []float64:
		return biasAddTyped(shape, xv, b.Data().([]float64), c, inner)
	case []int8:
		return biasAddTyped(shape, xv, b.Data().([]int8), c, inner)
	case []int16:
		return biasAddTyped(shape, xv, b.Data().([]int16), c, inner)
	case []int32:
		return biasAddTyped(shape, xv, b.Data().([]int32), c, inner)
	case []int64:
		return biasAddTyped(shape, xv, b.Data().([]int64), c, inner)
	case []uint8:
		return biasAddTyped(shape, xv, b.Data().([]uint8), c, inner)
	case []uint16:
		return biasAddTyped(shape, xv, b.Data().([]uint16), c, inner)
	case []uint32:
		return biasAddTyped(shape, xv, b.Data().([]uint32), c, inner)
	case []uint64:
		return biasAddTyped(shape, xv, b.Data().([]uint64), c, inner)
	case []complex64:
		return biasAddTyped(shape, xv, b.Data().([]complex64), c, inner)
	case []complex128:
		return biasAddTyped(shape, xv, b.Data().([]complex128), c, inner)
	case []tensor.F16, []tensor.BF16:
		xf, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		bf, err := kernel.Float32s(b)
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(xf))
		addBias(xf, bf, out, c, inner)
		return kernel.FromFloat32s(x.DType(), shape, out)
	}
	return nil, kernel.Unsupported("BiasAdd of dtype %v", x.DType())
}

func biasAddTyped[T addable](shape tensor.Shape, x, b []T, c, inner int) (*tensor.Tensor, error) {
	out := make([]T, len(x))
	addBias(x, b, out, c, inner)
	return tensor.FromSlice(shape, out)
}

// addBias writes x + b into out, with x viewed as [outer, c, inner] and b
// added along the middle dimension.
func addBias[T addable](x, b, out []T, c, inner int) {
	if len(x) == 0 {
		return
	}
	if inner == 1 {
		rows := len(x) / c
		kernel.ParallelFor(rows, c, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				src := x[r*c : (r+1)*c]
				dst := out[r*c : (r+1)*c]
				for j, v := range src {
					dst[j] = v + b[j]
				}
			}
		})
		return
	}
	blocks := len(x) / inner
	kernel.ParallelFor(blocks, inner, func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			bias := b[blk%c]
			src := x[blk*inner : (blk+1)*inner]
			dst := out[blk*inner : (blk+1)*inner]
			for j, v := range src {
				dst[j] = v + bias
			}
		}
	})
}
