package sparse

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newSparseToDense prepares SparseToDense (inputs sparse_indices,
// output_shape, sparse_values, default_value; attributes T, Tindices,
// validate_indices).
func newSparseToDense(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	validate, err := n.Attrs.Bool("validate_indices", true)
	if err != nil {
		return nil, n.AttrError("validate_indices", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		out, err := sparseToDense(in[0], in[1], in[2], in[3], validate)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// sparseToDense follows sparse_to_dense_op.cc: indices is a scalar, a
// vector (one dimension) or a matrix [num_elems, num_dims]; values a
// scalar for all of them or a vector of num_elems.
func sparseToDense(indicesT, shapeT, values, def *tensor.Tensor, validate bool) (*tensor.Tensor, error) {
	if indicesT.Rank() > 2 {
		return nil, kernel.Invalid("sparse_indices should be a scalar, vector, or matrix, got shape %v", indicesT.Shape())
	}
	if shapeT.Rank() != 1 {
		return nil, kernel.Invalid("output_shape should be a vector, got shape %v", shapeT.Shape())
	}
	numElems, numDims := 1, 1
	if indicesT.Rank() > 0 {
		numElems = indicesT.Shape()[0]
	}
	if indicesT.Rank() > 1 {
		numDims = indicesT.Shape()[1]
	}
	if values.Rank() > 1 || (values.Rank() == 1 && values.Shape()[0] != numElems) {
		return nil, kernel.Invalid("sparse_values has incorrect shape %v, should be [] or [%d]", values.Shape(), numElems)
	}
	if def.Rank() != 0 {
		return nil, kernel.Invalid("default_value should be a scalar.")
	}
	if values.DType() != def.DType() {
		return nil, kernel.Invalid("sparse_values is %v but default_value is %v", values.DType(), def.DType())
	}
	dims, err := int64s(shapeT, "output_shape")
	if err != nil {
		return nil, err
	}
	if len(dims) != numDims {
		return nil, kernel.Invalid("output_shape has incorrect number of elements: %d should be: %d", len(dims), numDims)
	}
	idx, err := int64s(indicesT, "sparse_indices")
	if err != nil {
		return nil, err
	}
	shape := make(tensor.Shape, numDims)
	for d, v := range dims {
		if v < 0 {
			return nil, kernel.Invalid("Dimension %d of output_shape must be non-negative, got %d", d, v)
		}
		shape[d] = int(v)
	}
	if err := kernel.CheckOutput(values.DType(), shape); err != nil {
		return nil, err
	}
	to := make([]int, numElems)
	for i := range numElems {
		row := idx[i*numDims : (i+1)*numDims]
		flat := 0
		for d, v := range row {
			if v < 0 || v >= dims[d] {
				return nil, kernel.Invalid("indices[%d] = %v is out of bounds: need 0 <= index < %v", i, row, dims)
			}
			flat = flat*shape[d] + int(v)
		}
		if validate && i > 0 {
			if c := compareRows(idx[(i-1)*numDims:i*numDims], row); c == 0 {
				return nil, kernel.Invalid("indices[%d] = %v is repeated", i, row)
			} else if c > 0 {
				return nil, kernel.Invalid("indices[%d] = %v is out of order. Many sparse ops require sorted indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n", i, row)
			}
		}
		to[i] = flat
	}
	out, err := tensor.New(values.DType(), shape)
	if err != nil {
		return nil, err
	}
	from := func(i int) int { return i }
	if values.Rank() == 0 {
		from = func(int) int { return 0 }
	}
	if err := place(out, values, def, to, from); err != nil {
		return nil, err
	}
	return out, nil
}

// compareRows orders two index rows lexicographically.
func compareRows(a, b []int64) int {
	for d := range a {
		if a[d] != b[d] {
			if a[d] < b[d] {
				return -1
			}
			return 1
		}
	}
	return 0
}
