package sparse

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// raggedIndexTypes are the row-partition and index types of the ragged ops.
var raggedIndexTypes = []tensor.DType{tensor.Int32, tensor.Int64}

// copyRows copies row from[i] of src into row i of dst, rows being
// inner elements long, leaving row i alone where from[i] < 0; dst and
// src share a dtype.
func copyRows(dst, src *tensor.Tensor, inner int, from []int) error {
	switch d := kernel.Words(dst).(type) {
	case []uint8:
		copyWordRows(d, kernel.Words(src).([]uint8), inner, from)
	case []uint16:
		copyWordRows(d, kernel.Words(src).([]uint16), inner, from)
	case []uint32:
		copyWordRows(d, kernel.Words(src).([]uint32), inner, from)
	case []uint64:
		copyWordRows(d, kernel.Words(src).([]uint64), inner, from)
	case [][2]uint64:
		copyWordRows(d, kernel.Words(src).([][2]uint64), inner, from)
	case []string:
		copyWordRows(d, kernel.Words(src).([]string), inner, from)
	default:
		return kernel.Unsupported("dtype %v", dst.DType())
	}
	return nil
}

func copyWordRows[W word](dst, src []W, inner int, from []int) {
	for i, f := range from {
		if f >= 0 {
			copy(dst[i*inner:(i+1)*inner], src[f*inner:(f+1)*inner])
		}
	}
}

// checkSplits checks one row-partition vector of a ragged tensor: it
// starts at 0, never decreases and ends at most at limit (the size of the
// next level).
func checkSplits(s []int64, limit int64, what string) error {
	if len(s) == 0 {
		return kernel.Invalid("%s must be non-empty", what)
	}
	if s[0] != 0 {
		return kernel.Invalid("%s must start with 0, got %d", what, s[0])
	}
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return kernel.Invalid("%s must be sorted in ascending order, got %v", what, shapeString(s))
		}
	}
	if last := s[len(s)-1]; last > limit {
		return kernel.Invalid("%s ends at %d, beyond the %d values it partitions", what, last, limit)
	}
	return nil
}

// newRaggedGather prepares RaggedGather as ragged_gather_op.cc: the rows
// of a ragged tensor (params_nested_splits, params_dense_values) picked by
// indices, whose dimensions but the last become uniform ragged
// dimensions of the result.
func newRaggedGather(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "Tvalues", valueTypes); err != nil {
		return nil, err
	}
	rank, err := n.Attrs.Int("PARAMS_RAGGED_RANK", 0)
	if err != nil {
		return nil, n.AttrError("PARAMS_RAGGED_RANK", err)
	}
	if rank < 1 {
		return nil, n.AttrError("PARAMS_RAGGED_RANK", fmt.Errorf("%w: must be at least 1, got %d", kernel.ErrInvalidArgument, rank))
	}
	splitsType, err := n.Attrs.Type("Tsplits", tensor.Int64)
	if err != nil {
		return nil, n.AttrError("Tsplits", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, int(rank)+2); err != nil {
			return nil, err
		}
		out, err := raggedGather(in[:rank], in[rank], in[rank+1], splitsType)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return out, nil
	}, nil
}

func raggedGather(splitsT []*tensor.Tensor, values, indicesT *tensor.Tensor, splitsType tensor.DType) ([]*tensor.Tensor, error) {
	if values.Rank() == 0 {
		return nil, kernel.Invalid("params.rank must be nonzero")
	}
	if indicesT.Rank() == 0 {
		return nil, kernel.Invalid("indices must have rank at least 1 (a scalar index is a row of the ragged tensor, which Python's tf.gather slices itself)")
	}
	splits := make([][]int64, len(splitsT))
	for i, t := range splitsT {
		if t.Rank() != 1 {
			return nil, kernel.Invalid("params_nested_splits[%d] must be a vector, got shape %v", i, t.Shape())
		}
		s, err := int64s(t, "params_nested_splits")
		if err != nil {
			return nil, err
		}
		splits[i] = s
	}
	for i := range splits {
		limit := int64(values.Shape()[0])
		if i+1 < len(splits) {
			limit = int64(len(splits[i+1]) - 1)
		}
		if err := checkSplits(splits[i], limit, fmt.Sprintf("params_nested_splits[%d]", i)); err != nil {
			return nil, err
		}
	}
	indices, err := int64s(indicesT, "indices")
	if err != nil {
		return nil, err
	}
	numParams := int64(len(splits[0]) - 1)
	for i, x := range indices {
		if x < 0 || x >= numParams {
			return nil, kernel.Invalid("indices%s = %d is not in [0, %d)", kernel.SliceDebugString(indicesT.Shape(), i), x, numParams)
		}
	}
	ishape := indicesT.Shape()
	out := make([][]int64, len(ishape)-1+len(splits))
	for i := range out {
		out[i] = []int64{0}
	}
	// The leading dimensions of indices become uniform row partitions.
	rows := 1
	for d := 0; d < len(ishape)-1; d++ {
		rows *= ishape[d]
		if err := tensor.CheckAlloc(splitsType, tensor.Shape{rows + 1}); err != nil {
			return nil, err
		}
		for i := 1; i <= rows; i++ {
			out[d] = append(out[d], int64(i*ishape[d+1]))
		}
	}
	var slices [][2]int64
	numValues := int64(0)
	base := len(ishape) - 1
	for _, x := range indices {
		start, limit := splits[0][x], splits[0][x+1]
		out[base] = append(out[base], out[base][len(out[base])-1]+limit-start)
		for d := 1; d < len(splits); d++ {
			delta := out[base+d][len(out[base+d])-1] - splits[d][start]
			for j := start; j < limit; j++ {
				out[base+d] = append(out[base+d], splits[d][j+1]+delta)
			}
			start, limit = splits[d][start], splits[d][limit]
		}
		if limit != start {
			slices = append(slices, [2]int64{start, limit})
			numValues += limit - start
		}
	}
	vshape := append(tensor.Shape{int(numValues)}, values.Shape()[1:]...)
	if err := tensor.CheckAlloc(values.DType(), vshape); err != nil {
		return nil, err
	}
	from := make([]int, 0, numValues)
	for _, s := range slices {
		for j := s[0]; j < s[1]; j++ {
			from = append(from, int(j))
		}
	}
	dense, err := tensor.New(values.DType(), vshape)
	if err != nil {
		return nil, err
	}
	inner := 1
	for _, d := range values.Shape()[1:] {
		inner *= d
	}
	if err := copyRows(dense, values, inner, from); err != nil {
		return nil, err
	}
	result := make([]*tensor.Tensor, 0, len(out)+1)
	for _, s := range out {
		t, err := splitsTensor(splitsType, s)
		if err != nil {
			return nil, err
		}
		result = append(result, t)
	}
	return append(result, dense), nil
}

// splitsTensor builds an int32 or int64 vector.
func splitsTensor(dt tensor.DType, v []int64) (*tensor.Tensor, error) {
	if dt == tensor.Int64 {
		return tensor.FromSlice(tensor.Shape{len(v)}, v)
	}
	out := make([]int32, len(v))
	for i, x := range v {
		if int64(int32(x)) != x {
			return nil, kernel.Invalid("split value %d does not fit in int32", x)
		}
		out[i] = int32(x)
	}
	return tensor.FromSlice(tensor.Shape{len(v)}, out)
}

// newRaggedTensorToSparse prepares RaggedTensorToSparse
// (ragged_tensor_to_sparse_kernel.cc): the coordinates of every element
// of a ragged tensor (RAGGED_RANK row partitions, then the dense
// dimensions of its values) in row-major order, its values flattened,
// and the dense shape: the row count, each ragged dimension's longest
// row, the values' inner dimensions.
func newRaggedTensorToSparse(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	rank, err := n.Attrs.Int("RAGGED_RANK", 0)
	if err != nil {
		return nil, n.AttrError("RAGGED_RANK", err)
	}
	if rank < 1 {
		return nil, n.AttrError("RAGGED_RANK", fmt.Errorf("%w: must be at least 1, got %d", kernel.ErrInvalidArgument, rank))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, int(rank)+1); err != nil {
			return nil, err
		}
		out, err := raggedToSparse(in[:rank], in[rank])
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return out, nil
	}, nil
}

func raggedToSparse(splitsT []*tensor.Tensor, values *tensor.Tensor) ([]*tensor.Tensor, error) {
	if values.Rank() == 0 {
		return nil, kernel.Invalid("rt_dense_values must have rank at least 1")
	}
	splits := make([][]int64, len(splitsT))
	for i, t := range splitsT {
		s, err := int64s(t, "rt_nested_splits")
		if err != nil {
			return nil, err
		}
		if t.Rank() != 1 {
			return nil, kernel.Invalid("rt_nested_splits[%d] must be a vector, got shape %v", i, t.Shape())
		}
		limit := int64(values.Shape()[0])
		if i+1 < len(splitsT) {
			limit = int64(splitsT[i+1].NumElements() - 1)
		}
		if err := checkSplits(s, limit, fmt.Sprintf("rt_nested_splits[%d]", i)); err != nil {
			return nil, err
		}
		if s[len(s)-1] != limit {
			return nil, kernel.Invalid("Final value of ragged splits must match the length the corresponding ragged values")
		}
		splits[i] = s
	}
	inner := values.Shape()[1:]
	innerSize := inner.NumElements()
	rank := len(splits) + values.Rank()
	dense := []int64{int64(len(splits[0]) - 1)}
	for _, s := range splits {
		dense = append(dense, maxWidth(s, rowSplits))
	}
	for _, d := range inner {
		dense = append(dense, int64(d))
	}
	total := values.NumElements()
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{total, rank}); err != nil {
		return nil, err
	}
	idx := make([]int64, 0, total*rank)
	prefix := make([]int64, 0, rank)
	innerIdx := make([]int64, len(inner))
	// emit appends the coordinates of row's elements, row being a row of
	// ragged level (a row of values past the last level), prefix its
	// coordinates so far.
	var emit func(level int, row int64)
	emit = func(level int, row int64) {
		if level == len(splits) {
			clear(innerIdx)
			for range innerSize {
				idx = append(append(idx, prefix...), innerIdx...)
				for d := len(inner) - 1; d >= 0; d-- {
					if innerIdx[d]++; innerIdx[d] < int64(inner[d]) {
						break
					}
					innerIdx[d] = 0
				}
			}
			return
		}
		s := splits[level]
		for c := s[row]; c < s[row+1]; c++ {
			prefix = append(prefix, c-s[row])
			emit(level+1, c)
			prefix = prefix[:len(prefix)-1]
		}
	}
	for r := range dense[0] {
		prefix = append(prefix[:0], r)
		emit(0, r)
	}
	flat, err := values.Reshape(tensor.Shape{total})
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{
		tensor.MustFromSlice(tensor.Shape{total, rank}, idx),
		flat,
		tensor.MustFromSlice(tensor.Shape{rank}, dense),
	}, nil
}
