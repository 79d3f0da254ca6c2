package reduce

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// bincountTypes are the dtypes of Bincount's and DenseBincount's weights
// and counts.
var bincountTypes = []tensor.DType{tensor.Int32, tensor.Int64, tensor.Float32, tensor.Float64}

// newBincount makes Bincount (dense false: int32 values of any shape)
// and DenseBincount (values of rank 1, or rank 2 counted per row, and
// binary_output). Bin i holds the sum of the weights of the values equal
// to i, or their count without weights; values at or beyond size are
// dropped, negative ones refused, as TensorFlow's CPU kernels do.
func newBincount(dense bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", bincountTypes); err != nil {
			return nil, err
		}
		binary := false
		if dense {
			var err error
			if binary, err = n.Attrs.Bool("binary_output", false); err != nil {
				return nil, err
			}
		}
		dt, err := n.Attrs.Type("T", tensor.Invalid)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			arr, sizeT, weights := in[0], in[1], in[2]
			if sizeT.Rank() != 0 {
				return nil, kernel.Invalid("size must be a scalar, got shape %v", sizeT.Shape())
			}
			size, err := kernel.Int(sizeT)
			if err != nil {
				return nil, err
			}
			if size < 0 {
				return nil, kernel.Invalid("size (%d) must be non-negative", size)
			}
			if dt == tensor.Invalid {
				dt = weights.DType()
			}
			values, err := kernel.Ints(arr)
			if err != nil {
				return nil, err
			}
			rows, shape := 1, tensor.Shape{size}
			if dense {
				switch arr.Rank() {
				case 1:
				case 2:
					rows, shape = arr.Shape()[0], tensor.Shape{arr.Shape()[0], size}
				default:
					return nil, kernel.Invalid("input must be at most rank 2, got shape %v", arr.Shape())
				}
			}
			if weights.NumElements() > 0 && !weights.Shape().Equal(arr.Shape()) {
				return nil, kernel.Invalid("If weights are passed, they must have the same shape (%v) as arr (%v)", weights.Shape(), arr.Shape())
			}
			if err := tensor.CheckAlloc(dt, shape); err != nil {
				return nil, err
			}
			var w []float64
			if weights.NumElements() > 0 {
				if weights.DType() != dt {
					return nil, fmt.Errorf("weights have dtype %v, want %v", weights.DType(), dt)
				}
				if w, err = tensor.Float64s(weights); err != nil {
					return nil, err
				}
			}
			bins := make([]float64, shape.NumElements())
			per := max(len(values)/max(rows, 1), 0)
			for i, v := range values {
				if v < 0 {
					return nil, kernel.Invalid("Input arr must be non-negative!")
				}
				if v >= size {
					continue
				}
				at := i/max(per, 1)*size + v
				switch {
				case binary:
					bins[at] = 1
				case w != nil:
					bins[at] += w[i]
				default:
					bins[at]++
				}
			}
			out, err := tensor.FromFloat64s(dt, shape, bins)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}
