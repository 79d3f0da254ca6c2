package sparse

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// sparseReshape follows reshape_util.cc's Reshape: the new shape may hold
// one -1, resolved so that the dense sizes agree; each entry keeps its
// row-major position in the dense tensor.
func sparseReshape(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	indicesT, inShapeT, newShapeT := in[0], in[1], in[2]
	if indicesT.Rank() != 2 {
		return nil, kernel.Invalid("Input indices should be a matrix but received shape %v", indicesT.Shape())
	}
	if inShapeT.Rank() != 1 {
		return nil, kernel.Invalid("Input shape should be a vector but received shape %v", inShapeT.Shape())
	}
	if newShapeT.Rank() != 1 {
		return nil, kernel.Invalid("Target shape should be a vector but received shape %v", newShapeT.Shape())
	}
	for _, t := range in {
		if t.DType() != tensor.Int64 {
			return nil, kernel.Invalid("SparseReshape's inputs must be int64, got %v", t.DType())
		}
	}
	n, inRank := indicesT.Shape()[0], indicesT.Shape()[1]
	inShape := inShapeT.Data().([]int64)
	target := newShapeT.Data().([]int64)
	if len(inShape) != inRank {
		return nil, kernel.Invalid("Input shape has %d dimensions but the indices have rank %d", len(inShape), inRank)
	}
	dense := int64(1)
	for _, d := range inShape {
		dense *= d
	}
	outShape := make([]int64, len(target))
	product, unknown := int64(1), -1
	for d, v := range target {
		switch {
		case v == -1:
			if unknown != -1 {
				return nil, kernel.Invalid("only one output dimension may be -1, not both %d and %d", unknown, d)
			}
			unknown = d
		case v < 0:
			return nil, kernel.Invalid("size %d must be non-negative, not %d", d, v)
		default:
			product *= v
			outShape[d] = v
		}
	}
	if unknown != -1 {
		if product <= 0 || dense%product != 0 {
			return nil, kernel.Invalid("Input to reshape is a SparseTensor with %d dense values, but the requested shape requires a multiple of %d. input_shape=%v output_shape=%v", dense, product, shapeString(inShape), shapeString(target))
		}
		outShape[unknown] = dense / product
		product = dense
	}
	if product != dense {
		return nil, kernel.Invalid("Input to reshape is a tensor with %d dense values, but the requested shape has %d. input_shape=%v output_shape=%v", dense, product, shapeString(inShape), shapeString(outShape))
	}
	outRank := len(outShape)
	shapeOut := tensor.MustFromSlice(tensor.Shape{outRank}, outShape)
	if equalInts(inShape, outShape) {
		return []*tensor.Tensor{indicesT, shapeOut}, nil
	}
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{n, outRank}); err != nil {
		return nil, err
	}
	inStrides, outStrides := strides(inShape), strides(outShape)
	idx := indicesT.Data().([]int64)
	out := make([]int64, n*outRank)
	for i := range n {
		id := int64(0)
		for d := range inRank {
			id += idx[i*inRank+d] * inStrides[d]
		}
		for d := range outRank {
			out[i*outRank+d] = id / outStrides[d]
			id %= outStrides[d]
		}
	}
	return []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{n, outRank}, out), shapeOut}, nil
}

// strides are the row-major strides of shape.
func strides(shape []int64) []int64 {
	s := make([]int64, len(shape))
	acc := int64(1)
	for d := len(shape) - 1; d >= 0; d-- {
		s[d] = acc
		acc *= shape[d]
	}
	return s
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
