package elementwise

import (
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// bucketizeTypes are Bucketize's dtypes.
var bucketizeTypes = []tensor.DType{tensor.Int32, tensor.Int64, tensor.Float32, tensor.Float64}

// newBucketize makes Bucketize: each value's bucket, the number of
// boundaries not greater than it (std::upper_bound over the float
// boundaries, the value compared as float as TensorFlow's kernel does).
func newBucketize(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", bucketizeTypes); err != nil {
		return nil, err
	}
	b32, err := n.Attrs.Floats("boundaries", nil)
	if err != nil {
		return nil, err
	}
	bounds := make([]float64, len(b32))
	for i, b := range b32 {
		bounds[i] = float64(b)
	}
	if !slices.IsSorted(bounds) {
		return nil, kernel.Invalid("attribute boundaries: expected sorted boundaries, got %v", b32)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		if !slices.Contains(bucketizeTypes, in[0].DType()) {
			return nil, kernel.Unsupported("dtype %v", in[0].DType())
		}
		v, err := tensor.Float64s(in[0])
		if err != nil {
			return nil, err
		}
		out := make([]int32, len(v))
		for i, x := range v {
			if in[0].DType() != tensor.Float64 {
				// The boundaries are floats: TensorFlow compares
				// float32 and integer inputs in float.
				x = float64(float32(x))
			}
			out[i] = int32(upperBound(bounds, x))
		}
		t, err := tensor.FromSlice(in[0].Shape(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}

// upperBound is the index of the first element of sorted greater than x.
func upperBound(sorted []float64, x float64) int {
	i, _ := slices.BinarySearchFunc(sorted, x, func(e, t float64) int {
		if e <= t {
			return -1
		}
		return 1
	})
	return i
}
