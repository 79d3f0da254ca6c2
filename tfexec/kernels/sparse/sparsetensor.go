package sparse

import (
	"fmt"
	"math/cmplx"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// sparseTensor is one (indices, values, dense_shape) triple, checked for
// consistency: n entries of rank coordinates each, within the shape.
type sparseTensor struct {
	idx    []int64 // n×rank, row-major
	values *tensor.Tensor
	shape  []int64
	n      int
	rank   int
}

func (s sparseTensor) index(i int) []int64 { return s.idx[i*s.rank : (i+1)*s.rank] }

// readSparse checks and reads a sparse tensor; what names it in errors
// ("input", "a", "b").
func readSparse(indicesT, values, shapeT *tensor.Tensor, what string) (sparseTensor, error) {
	if indicesT.Rank() != 2 {
		return sparseTensor{}, kernel.Invalid("%s indices should be a matrix but received shape %v", what, indicesT.Shape())
	}
	if values.Rank() != 1 {
		return sparseTensor{}, kernel.Invalid("%s values should be a vector but received shape %v", what, values.Shape())
	}
	if shapeT.Rank() != 1 {
		return sparseTensor{}, kernel.Invalid("%s shape should be a vector but received shape %v", what, shapeT.Shape())
	}
	s := sparseTensor{values: values, n: indicesT.Shape()[0], rank: indicesT.Shape()[1]}
	if values.Shape()[0] != s.n {
		return sparseTensor{}, kernel.Invalid("Number of elements in %s values (%d) must match number of rows in %s indices (%d)", what, values.Shape()[0], what, s.n)
	}
	var err error
	if s.idx, err = int64s(indicesT, what+" indices"); err != nil {
		return sparseTensor{}, err
	}
	if s.shape, err = int64s(shapeT, what+" shape"); err != nil {
		return sparseTensor{}, err
	}
	if len(s.shape) != s.rank {
		return sparseTensor{}, kernel.Invalid("%s shape has %d dimensions but %s indices have rank %d", what, len(s.shape), what, s.rank)
	}
	for i := range s.n {
		for d, x := range s.index(i) {
			if x < 0 || x >= s.shape[d] {
				return sparseTensor{}, kernel.Invalid("%s indices[%d] = %v is out of bounds: need 0 <= index < %v", what, i, shapeString(s.index(i)), shapeString(s.shape))
			}
		}
	}
	return s, nil
}

// compareIndex orders coordinates row-major, as sparse::DimComparator.
func compareIndex(a, b []int64) int { return slices.Compare(a, b) }

// outputs builds the (indices, values, shape) tensors of a sparse result
// whose entry i is source entry from[i] of src with coordinates idx.
func sparseOutputs(idx []int64, rank int, src *tensor.Tensor, from []int, shape []int64) ([]*tensor.Tensor, error) {
	n := len(from)
	if err := tensor.CheckAlloc(src.DType(), tensor.Shape{n}); err != nil {
		return nil, err
	}
	values, err := tensor.New(src.DType(), tensor.Shape{n})
	if err != nil {
		return nil, err
	}
	if err := copyRows(values, src, 1, from); err != nil {
		return nil, err
	}
	indices, err := tensor.FromSlice(tensor.Shape{n, rank}, idx)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{indices, values, tensor.MustFromSlice(tensor.Shape{len(shape)}, slices.Clone(shape))}, nil
}

// sortedOrder returns the entries of s in row-major order of their
// coordinates, ties in their input order.
func sortedOrder(s sparseTensor) []int {
	order := make([]int, s.n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareIndex(s.index(a), s.index(b)) })
	return order
}

// gatherIndices returns the coordinates of entries order of s.
func gatherIndices(s sparseTensor, order []int) []int64 {
	out := make([]int64, 0, len(order)*s.rank)
	for _, i := range order {
		out = append(out, s.index(i)...)
	}
	return out
}

// sparseKernel wraps a function of a node's inputs with the node's name
// in its errors.
func sparseKernel(n *kernel.Node, inputs int, f func(in []*tensor.Tensor) ([]*tensor.Tensor, error)) kernel.Kernel {
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if inputs >= 0 {
			if err := kernel.CheckInputs(in, inputs); err != nil {
				return nil, err
			}
		}
		out, err := f(in)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return out, nil
	}
}

// newSparseReorder prepares SparseReorder (sparse_reorder_op.cc): the
// entries in row-major order of their coordinates.
func newSparseReorder(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	return sparseKernel(n, 3, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		s, err := readSparse(in[0], in[1], in[2], "input")
		if err != nil {
			return nil, err
		}
		order := sortedOrder(s)
		out, err := sparseOutputs(gatherIndices(s, order), s.rank, s.values, order, s.shape)
		if err != nil {
			return nil, err
		}
		return out[:2], nil
	}), nil
}

// newSparseSlice prepares SparseSlice (sparse_slice_op.cc): the entries
// with start ≤ index < start+size, shifted by start, in their order; the
// shape is what of [start, start+size) lies inside the input's.
func newSparseSlice(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	return sparseKernel(n, 5, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		s, err := readSparse(in[0], in[1], in[2], "input")
		if err != nil {
			return nil, err
		}
		start, err := int64s(in[3], "start")
		if err != nil {
			return nil, err
		}
		size, err := int64s(in[4], "size")
		if err != nil {
			return nil, err
		}
		if len(start) != s.rank || len(size) != s.rank {
			return nil, kernel.Invalid("Expected start and size to have %d elements, got %d and %d", s.rank, len(start), len(size))
		}
		shape := make([]int64, s.rank)
		for d := range shape {
			if start[d] < 0 || size[d] < 0 {
				return nil, kernel.Invalid("start and size must be non-negative, got %v and %v", shapeString(start), shapeString(size))
			}
			shape[d] = max(min(start[d]+size[d], s.shape[d])-start[d], 0)
		}
		var idx []int64
		var from []int
		for i := range s.n {
			x := s.index(i)
			inside := true
			for d := range x {
				if x[d] < start[d] || x[d] >= start[d]+size[d] {
					inside = false
					break
				}
			}
			if !inside {
				continue
			}
			for d := range x {
				idx = append(idx, x[d]-start[d])
			}
			from = append(from, i)
		}
		return sparseOutputs(idx, s.rank, s.values, from, shape)
	}), nil
}

// newSparseConcat prepares SparseConcat (sparse_concat_op.cc): N sparse
// tensors joined along concat_dim (their other dimensions equal), the
// result in row-major order.
func newSparseConcat(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", valueTypes); err != nil {
		return nil, err
	}
	count, err := n.Attrs.Int("N", 0)
	if err != nil {
		return nil, n.AttrError("N", err)
	}
	if count < 2 {
		return nil, n.AttrError("N", fmt.Errorf("%w: must be at least 2, got %d", kernel.ErrInvalidArgument, count))
	}
	dim, err := n.Attrs.Int("concat_dim", 0)
	if err != nil {
		return nil, n.AttrError("concat_dim", err)
	}
	N := int(count)
	return sparseKernel(n, 3*N, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		parts := make([]sparseTensor, N)
		for i := range parts {
			s, err := readSparse(in[i], in[N+i], in[2*N+i], fmt.Sprintf("input %d", i))
			if err != nil {
				return nil, err
			}
			parts[i] = s
		}
		rank := parts[0].rank
		d := int(dim)
		if d < 0 {
			d += rank
		}
		if d < 0 || d >= rank {
			return nil, kernel.Invalid("Concat dimension must be in range [%d, %d), got %d", -rank, rank, dim)
		}
		shape := slices.Clone(parts[0].shape)
		shape[d] = 0
		offsets := make([]int64, N)
		for i, p := range parts {
			if p.rank != rank {
				return nil, kernel.Invalid("Ranks of all input tensors must match: expected %d but got %d at position %d", rank, p.rank, i)
			}
			for j := range rank {
				if j != d && p.shape[j] != parts[0].shape[j] {
					return nil, kernel.Invalid("Input shapes must match: expected %d for dimension %d but got %d at position %d", parts[0].shape[j], j, p.shape[j], i)
				}
			}
			offsets[i] = shape[d]
			shape[d] += p.shape[d]
		}
		total := 0
		for _, p := range parts {
			total += p.n
		}
		if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{total, rank}); err != nil {
			return nil, err
		}
		// Concatenate, then order: entries of a later input come after
		// equal coordinates of an earlier one.
		all := sparseTensor{rank: rank, shape: shape, n: total, idx: make([]int64, 0, total*rank)}
		src := make([]struct{ part, entry int }, 0, total)
		for i, p := range parts {
			for e := range p.n {
				x := p.index(e)
				for j := range rank {
					v := x[j]
					if j == d {
						v += offsets[i]
					}
					all.idx = append(all.idx, v)
				}
				src = append(src, struct{ part, entry int }{i, e})
			}
		}
		order := sortedOrder(all)
		values, err := tensor.New(parts[0].values.DType(), tensor.Shape{total})
		if err != nil {
			return nil, err
		}
		for i := range parts {
			from := make([]int, total)
			for k, o := range order {
				from[k] = -1
				if src[o].part == i {
					from[k] = src[o].entry
				}
			}
			if err := copyRows(values, parts[i].values, 1, from); err != nil {
				return nil, err
			}
		}
		indices, err := tensor.FromSlice(tensor.Shape{total, rank}, gatherIndices(all, order))
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{indices, values, tensor.MustFromSlice(tensor.Shape{rank}, shape)}, nil
	}), nil
}

// arithTypes are the value dtypes the sparse arithmetic kernels
// implement.
var arithTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Complex64, tensor.Complex128}

type number interface {
	float32 | float64 | int32 | int64 | complex64 | complex128
}

// magnitude is std::abs of a value, for SparseAdd's threshold.
func magnitude[T number](v T) float64 {
	switch x := any(v).(type) {
	case float32:
		return float64(max(x, -x))
	case float64:
		return max(x, -x)
	case int32:
		return float64(max(x, -x))
	case int64:
		return float64(max(x, -x))
	case complex64:
		return cmplx.Abs(complex128(x))
	case complex128:
		return cmplx.Abs(x)
	}
	return 0
}

// newSparseAdd prepares SparseAdd (sparse_add_op.cc): the merge of two
// sparse tensors of one shape, both in row-major order; entries at the
// same coordinates add up and stay only when |sum| ≥ thresh.
func newSparseAdd(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", arithTypes); err != nil {
		return nil, err
	}
	return sparseKernel(n, 7, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		a, err := readSparse(in[0], in[1], in[2], "a")
		if err != nil {
			return nil, err
		}
		b, err := readSparse(in[3], in[4], in[5], "b")
		if err != nil {
			return nil, err
		}
		if a.values.DType() != b.values.DType() {
			return nil, kernel.Invalid("a values are %v, b values %v", a.values.DType(), b.values.DType())
		}
		if !slices.Equal(a.shape, b.shape) {
			return nil, kernel.Invalid("Operands do not have the same ranks; got shapes: %v and %v", shapeString(a.shape), shapeString(b.shape))
		}
		th, err := tensor.Float64s(in[6])
		if err != nil || len(th) != 1 {
			return nil, kernel.Invalid("The magnitude threshold must be a scalar, got %v", in[6].Shape())
		}
		switch a.values.DType() {
		case tensor.Float32:
			return sparseAdd[float32](a, b, th[0])
		case tensor.Float64:
			return sparseAdd[float64](a, b, th[0])
		case tensor.Int32:
			return sparseAdd[int32](a, b, th[0])
		case tensor.Int64:
			return sparseAdd[int64](a, b, th[0])
		case tensor.Complex64:
			return sparseAdd[complex64](a, b, th[0])
		case tensor.Complex128:
			return sparseAdd[complex128](a, b, th[0])
		}
		return nil, kernel.Unsupported("dtype %v", a.values.DType())
	}), nil
}

func sparseAdd[T number](a, b sparseTensor, thresh float64) ([]*tensor.Tensor, error) {
	av, bv := tensor.Values[T](a.values), tensor.Values[T](b.values)
	var idx []int64
	var vals []T
	i, j := 0, 0
	for i < a.n || j < b.n {
		c := 0
		switch {
		case i == a.n:
			c = 1
		case j == b.n:
			c = -1
		default:
			c = compareIndex(a.index(i), b.index(j))
		}
		switch c {
		case -1:
			idx, vals = append(idx, a.index(i)...), append(vals, av[i])
			i++
		case 1:
			idx, vals = append(idx, b.index(j)...), append(vals, bv[j])
			j++
		default:
			if s := av[i] + bv[j]; thresh <= magnitude(s) {
				idx, vals = append(idx, a.index(i)...), append(vals, s)
			}
			i, j = i+1, j+1
		}
	}
	if idx == nil {
		idx, vals = []int64{}, []T{}
	}
	return []*tensor.Tensor{
		tensor.MustFromSlice(tensor.Shape{len(vals), a.rank}, idx),
		tensor.MustFromSlice(tensor.Shape{len(vals)}, vals),
		tensor.MustFromSlice(tensor.Shape{a.rank}, slices.Clone(a.shape)),
	}, nil
}

// newSparseTensorDenseAdd prepares SparseTensorDenseAdd
// (sparse_tensor_dense_add_op.cc): b plus the sparse tensor a of b's
// shape, repeated coordinates adding up.
func newSparseTensorDenseAdd(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", arithTypes); err != nil {
		return nil, err
	}
	return sparseKernel(n, 4, func(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		a, err := readSparse(in[0], in[1], in[2], "a")
		if err != nil {
			return nil, err
		}
		b := in[3]
		if a.values.DType() != b.DType() {
			return nil, kernel.Invalid("a values are %v, b is %v", a.values.DType(), b.DType())
		}
		if !slices.Equal(a.shape, b.Shape().Int64s()) {
			return nil, kernel.Invalid("Dimension mismatch: a_shape %v vs. b.shape %v", shapeString(a.shape), b.Shape())
		}
		out := b.Clone()
		strides := b.Shape().Strides()
		flat := make([]int, a.n)
		for i := range a.n {
			for d, x := range a.index(i) {
				flat[i] += int(x) * strides[d]
			}
		}
		switch a.values.DType() {
		case tensor.Float32:
			scatterAdd(tensor.Values[float32](out), tensor.Values[float32](a.values), flat)
		case tensor.Float64:
			scatterAdd(tensor.Values[float64](out), tensor.Values[float64](a.values), flat)
		case tensor.Int32:
			scatterAdd(tensor.Values[int32](out), tensor.Values[int32](a.values), flat)
		case tensor.Int64:
			scatterAdd(tensor.Values[int64](out), tensor.Values[int64](a.values), flat)
		case tensor.Complex64:
			scatterAdd(tensor.Values[complex64](out), tensor.Values[complex64](a.values), flat)
		case tensor.Complex128:
			scatterAdd(tensor.Values[complex128](out), tensor.Values[complex128](a.values), flat)
		default:
			return nil, kernel.Unsupported("dtype %v", b.DType())
		}
		return []*tensor.Tensor{out}, nil
	}), nil
}

func scatterAdd[T number](out, v []T, at []int) {
	for i, j := range at {
		out[j] += v[i]
	}
}
