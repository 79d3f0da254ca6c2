package sparse

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newFillEmptyRows prepares SparseFillEmptyRows (inputs indices, values,
// dense_shape, default_value; outputs output_indices, output_values,
// empty_row_indicator, reverse_index_map).
func newFillEmptyRows(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		out, err := fillEmptyRows(in[0], in[1], in[2], in[3])
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return out, nil
	}, nil
}

// fillEmptyRows follows sparse_fill_empty_rows_op.cc's CPU functor: each
// row of the dense shape's first dimension without an entry gets one at
// [row, 0, ..., 0] holding default_value; entries keep their order within
// their row, rows come in ascending order.
func fillEmptyRows(indicesT, values, shapeT, def *tensor.Tensor) ([]*tensor.Tensor, error) {
	if shapeT.Rank() != 1 {
		return nil, kernel.Invalid("dense_shape must be a vector, saw: %v", shapeT.Shape())
	}
	if indicesT.Rank() != 2 {
		return nil, kernel.Invalid("indices must be a matrix, saw: %v", indicesT.Shape())
	}
	if values.Rank() != 1 {
		return nil, kernel.Invalid("values must be a vector, saw: %v", values.Shape())
	}
	if def.Rank() != 0 {
		return nil, kernel.Invalid("default_value must be a scalar, saw: %v", def.Shape())
	}
	if values.DType() != def.DType() {
		return nil, kernel.Invalid("values are %v but default_value is %v", values.DType(), def.DType())
	}
	if indicesT.DType() != tensor.Int64 || shapeT.DType() != tensor.Int64 {
		return nil, kernel.Invalid("indices and dense_shape must be int64")
	}
	n, rank := indicesT.Shape()[0], indicesT.Shape()[1]
	if values.Shape()[0] != n {
		return nil, kernel.Invalid("The length of `values` (%d) must match the first dimension of `indices` (%d).", values.Shape()[0], n)
	}
	dense := shapeT.Data().([]int64)
	if len(dense) != rank {
		return nil, kernel.Invalid("The length of `dense_shape` (%d) must match the second dimension of `indices` (%d).", len(dense), rank)
	}
	if rank == 0 {
		return nil, kernel.Invalid("dense_shape must have rank > 0")
	}
	rows := dense[0]
	if rows < 0 {
		return nil, kernel.Invalid("dense_shape[0] must be non-negative, got %d", rows)
	}
	if rows == 0 && n > 0 {
		return nil, kernel.Invalid("Received SparseTensor with dense_shape[0] = 0 but indices.shape[0] = %d", n)
	}
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{int(rows)}); err != nil {
		return nil, err
	}
	idx := indicesT.Data().([]int64)
	counts := make([]int, rows)
	ordered := true
	for i := range n {
		row := idx[i*rank]
		if row < 0 || row >= rows {
			return nil, kernel.Invalid("indices(%d, 0) is invalid: %d >= %d", i, row, rows)
		}
		counts[row]++
		if i > 0 && row < idx[(i-1)*rank] {
			ordered = false
		}
	}
	empty := make([]bool, rows)
	offsets := make([]int, rows) // first output entry of each row
	total := 0
	for r, c := range counts {
		offsets[r] = total
		if c == 0 {
			empty[r] = true
			c = 1
		}
		total += c
	}
	emptyT, err := tensor.FromSlice(tensor.Shape{int(rows)}, empty)
	if err != nil {
		return nil, err
	}
	if ordered && total == n {
		reverse := make([]int64, n)
		for i := range reverse {
			reverse[i] = int64(i)
		}
		return []*tensor.Tensor{indicesT, values, emptyT, tensor.MustFromSlice(tensor.Shape{n}, reverse)}, nil
	}
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{total, rank}); err != nil {
		return nil, err
	}
	outIdx := make([]int64, total*rank)
	reverse := make([]int64, n)
	to := make([]int, n)
	filled := make([]int, rows)
	for i := range n {
		row := idx[i*rank]
		o := offsets[row] + filled[row]
		filled[row]++
		copy(outIdx[o*rank:(o+1)*rank], idx[i*rank:(i+1)*rank])
		reverse[i] = int64(o)
		to[i] = o
	}
	for r := range rows {
		if empty[r] {
			outIdx[offsets[r]*rank] = r
		}
	}
	outVals, err := tensor.New(values.DType(), tensor.Shape{total})
	if err != nil {
		return nil, err
	}
	if err := place(outVals, values, def, to, func(i int) int { return i }); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{total, rank}, outIdx), outVals, emptyT, tensor.MustFromSlice(tensor.Shape{n}, reverse)}, nil
}
