package sparse

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// Row partition types of RaggedTensorToTensor.
const (
	firstDimSize = "FIRST_DIM_SIZE"
	valueRowIDs  = "VALUE_ROWIDS"
	rowSplits    = "ROW_SPLITS"
)

// newRaggedTensorToTensor prepares RaggedTensorToTensor as
// ragged_tensor_to_tensor_op.cc: a ragged tensor, given by its flat
// values and one row partition per ragged dimension (all ROW_SPLITS, or
// FIRST_DIM_SIZE then VALUE_ROWIDS), to a dense tensor of the requested
// shape (unknown dimensions take the ragged tensor's natural size), cut
// where rows are longer and padded with default_value (broadcast to one
// value's shape) where they are shorter.
func newRaggedTensorToTensor(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	types, err := n.Attrs.Strings("row_partition_types", nil)
	if err != nil {
		return nil, n.AttrError("row_partition_types", err)
	}
	if len(types) == 0 {
		return nil, n.AttrError("row_partition_types", fmt.Errorf("%w: no row partition types", kernel.ErrInvalidArgument))
	}
	first := types[0] == firstDimSize
	levels := types
	if first {
		levels = types[1:]
	}
	if len(levels) == 0 {
		return nil, n.AttrError("row_partition_types", fmt.Errorf("%w: no ragged dimension after %s", kernel.ErrInvalidArgument, firstDimSize))
	}
	for i, t := range levels {
		switch {
		case t == rowSplits && !first:
		case t == valueRowIDs && first:
		case t == valueRowIDs && i == 0:
			return nil, n.AttrError("row_partition_types", fmt.Errorf("%w: Cannot handle VALUE_ROWIDS in first dimension.", kernel.ErrInvalidArgument))
		default:
			return nil, n.AttrError("row_partition_types", fmt.Errorf("%w: unsupported partition types %v (all ROW_SPLITS, or FIRST_DIM_SIZE then VALUE_ROWIDS)", kernel.ErrInvalidArgument, types))
		}
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3+len(types)); err != nil {
			return nil, err
		}
		out, err := raggedToTensor(in[0], in[1], in[2], in[3:], first, levels)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func raggedToTensor(shapeT, values, def *tensor.Tensor, parts []*tensor.Tensor, first bool, levels []string) (*tensor.Tensor, error) {
	if values.Rank() == 0 {
		return nil, kernel.Invalid("values must have rank at least 1")
	}
	inner := values.Shape()[1:]
	if def.DType() != values.DType() {
		return nil, kernel.Invalid("default_value is %v, values %v", def.DType(), values.DType())
	}
	if def.Rank() > len(inner) {
		return nil, kernel.Invalid("default_value.shape=%v and rt_input.flat_values.shape=%v are incompatible: default_value.rank = %d must be less than rt_input.flat_values.rank = %d",
			def.Shape(), values.Shape(), def.Rank(), values.Rank())
	}
	if _, err := tensor.BroadcastShapes(def.Shape(), inner); err != nil {
		return nil, kernel.Invalid("default_value.shape=%v and rt_input.flat_values.shape=%v are incompatible", def.Shape(), values.Shape())
	}
	idx := make([][]int64, len(parts))
	for i, p := range parts {
		v, err := int64s(p, "row_partition_tensors")
		if err != nil {
			return nil, err
		}
		idx[i] = v
	}
	var firstDim int64
	if first {
		if parts[0].NumElements() != 1 {
			return nil, kernel.Invalid("FIRST_DIM_SIZE must be a scalar, got shape %v", parts[0].Shape())
		}
		firstDim = idx[0][0]
		idx = idx[1:]
		if firstDim < 0 {
			return nil, kernel.Invalid("FIRST_DIM_SIZE must be non-negative, got %d", firstDim)
		}
	} else {
		if len(idx[0]) == 0 {
			return nil, kernel.Invalid("row_splits must be non-empty")
		}
		firstDim = int64(len(idx[0]) - 1)
	}
	rank := len(levels) + values.Rank()
	size, err := requestedShape(shapeT, rank)
	if err != nil {
		return nil, err
	}
	for i, d := range inner {
		if o := &size[len(levels)+1+i]; *o < 0 {
			*o = int64(d)
		} else if *o != int64(d) {
			return nil, kernel.Invalid("rt_input.shape and shape=%v are incompatible: rt_input.shape[%d] = %d but shape[%d] = %d",
				shapeString(size), i+1+len(levels), d, i+1+len(levels), *o)
		}
	}
	if size[0] < 0 {
		size[0] = firstDim
	}
	for i, l := range levels {
		if size[i+1] < 0 {
			size[i+1] = maxWidth(idx[i], l)
		}
	}
	outShape := make(tensor.Shape, rank)
	for i, d := range size {
		outShape[i] = int(d)
	}
	if err := tensor.CheckAlloc(values.DType(), outShape); err != nil {
		return nil, err
	}
	// multiplier[i] is the number of grid cells (values) one step along
	// ragged dimension i covers.
	multiplier := make([]int64, len(levels)+1)
	multiplier[len(levels)] = 1
	for i := len(levels) - 1; i >= 0; i-- {
		multiplier[i] = multiplier[i+1] * size[i+1]
	}
	index := make([]int64, 0, firstDim)
	if multiplier[0]*size[0] > 0 {
		if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{int(firstDim)}); err != nil {
			return nil, err
		}
		for i := range firstDim {
			if i < size[0] {
				index = append(index, i*multiplier[0])
			} else {
				index = append(index, -1)
			}
		}
		for i, l := range levels {
			if l == rowSplits {
				index, err = splitIndex(idx[i], index, multiplier[i+1], size[i+1])
			} else {
				index, err = rowIDIndex(idx[i], index, multiplier[i+1], size[i+1])
			}
			if err != nil {
				return nil, err
			}
		}
		if len(index) != values.Shape()[0] {
			return nil, kernel.Invalid("the row partitions hold %d values, but values has %d", len(index), values.Shape()[0])
		}
	}
	out, err := tensor.New(values.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return out, nil
	}
	// Fill every cell with default_value broadcast to a value's shape,
	// then place the values.
	fill, err := broadcastTo(def, inner)
	if err != nil {
		return nil, err
	}
	cellSize := inner.NumElements()
	cells := out.NumElements() / max(cellSize, 1)
	from := make([]int, cells)
	if cellSize > 0 {
		if err := copyRows(out, fill, cellSize, from); err != nil {
			return nil, err
		}
		to := make([]int, cells)
		for i := range to {
			to[i] = -1
		}
		for v, o := range index {
			if o >= 0 {
				to[o] = v
			}
		}
		if err := copyRows(out, values, cellSize, to); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// broadcastTo returns def broadcast to shape, of def's dtype.
func broadcastTo(def *tensor.Tensor, shape tensor.Shape) (*tensor.Tensor, error) {
	out, err := tensor.New(def.DType(), shape.Clone())
	if err != nil {
		return nil, err
	}
	idx := kernel.BroadcastIndex(def.Shape(), shape)
	from := make([]int, len(idx))
	copy(from, idx)
	return out, copyRows(out, def, 1, from)
}

// requestedShape reads the shape input: a scalar -1 or an empty vector
// for an unknown rank, else one size per dimension (-1 unknown).
func requestedShape(t *tensor.Tensor, rank int) ([]int64, error) {
	v, err := int64s(t, "shape")
	if err != nil {
		return nil, err
	}
	size := make([]int64, rank)
	switch {
	case t.Rank() == 0 && len(v) == 1 && v[0] == -1, t.Rank() == 1 && len(v) == 0:
		for i := range size {
			size[i] = -1
		}
		return size, nil
	case t.Rank() != 1:
		return nil, kernel.Invalid("shape must be a vector, an empty vector or the scalar -1, got shape %v", t.Shape())
	case len(v) != rank:
		return nil, kernel.Invalid("rt_input.shape and shape=%v are incompatible: rt_input.rank = %d but shape.rank = %d", shapeString(v), rank, len(v))
	}
	for i, d := range v {
		if d < -1 {
			return nil, kernel.Invalid("shape=%v has a negative dimension", shapeString(v))
		}
		size[i] = d
	}
	return size, nil
}

// maxWidth is the longest row of a partition: GetMaxWidth.
func maxWidth(p []int64, kind string) int64 {
	w := int64(0)
	if kind == rowSplits {
		for i := 1; i < len(p); i++ {
			w = max(w, p[i]-p[i-1])
		}
		return w
	}
	run := int64(0)
	for i, id := range p {
		if i > 0 && id == p[i-1] {
			run++
		} else {
			run = 1
		}
		w = max(w, run)
	}
	return w
}

// splitIndex is CalculateOutputIndexRowSplit: the grid cell of each child
// of a ROW_SPLITS level (-1 for children cut off), from its parents'.
func splitIndex(splits, parent []int64, mult, size int64) ([]int64, error) {
	if len(splits) != len(parent)+1 {
		return nil, kernel.Invalid("row_splits has %d entries for %d rows", len(splits), len(parent))
	}
	if err := checkSplits(splits, splits[len(splits)-1], "row_splits"); err != nil {
		return nil, err
	}
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{int(splits[len(splits)-1])}); err != nil {
		return nil, err
	}
	out := make([]int64, 0, splits[len(splits)-1])
	for i, p := range parent {
		length := splits[i+1] - splits[i]
		real := min(size, length)
		if p < 0 {
			real = 0
		}
		for j := range real {
			out = append(out, p+j*mult)
		}
		for range length - real {
			out = append(out, -1)
		}
	}
	return out, nil
}

// rowIDIndex is CalculateOutputIndexValueRowID, for a VALUE_ROWIDS level.
func rowIDIndex(ids, parent []int64, mult, size int64) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	for i, id := range ids {
		if id < 0 || id >= int64(len(parent)) {
			return nil, kernel.Invalid("value_rowids[%d] = %d is not in [0, %d)", i, id, len(parent))
		}
		if i > 0 && id < ids[i-1] {
			return nil, kernel.Invalid("value_rowids must be sorted in ascending order")
		}
	}
	col := int64(0)
	cur := parent[ids[0]]
	out = append(out, cur)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			if cur >= 0 {
				col++
				if col < size {
					cur += mult
				} else {
					cur = -1
				}
			}
		} else {
			col = 0
			cur = parent[ids[i]]
		}
		out = append(out, cur)
	}
	return out, nil
}
