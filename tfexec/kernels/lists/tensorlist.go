package lists

import (
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// tensorList is a TF2 TensorList, the value inside a variant scalar. It is
// immutable once stored in a tensor: ops that change a list build a new
// one, copying the slice of element pointers (never the elements), so
// every other consumer of the input still sees the old list.
type tensorList struct {
	elems  []*tensor.Tensor // nil: an element not yet set
	shape  pshape           // element_shape
	dtype  tensor.DType     // element_dtype
	maxNum int              // max_num_elements, -1 for unbounded
}

// checkLength refuses, before allocating, a list length that comes from
// the op's inputs (Reserve, Resize, an index to set or scatter at) and
// whose element slots alone exceed the memory budget.
func checkLength(n int) error { return tensor.CheckAlloc(tensor.Int64, tensor.Shape{n}) }

// with returns a copy of l with room for n elements (the first
// min(n, len) copied), for an op to fill in.
func (l *tensorList) with(n int) *tensorList {
	out := &tensorList{elems: make([]*tensor.Tensor, n), shape: l.shape, dtype: l.dtype, maxNum: l.maxNum}
	copy(out.elems, l.elems)
	return out
}

// listHandle wraps a list as a variant scalar.
func listHandle(l *tensorList) *tensor.Tensor {
	t, _ := tensor.FromAny(tensor.Variant, tensor.Shape{}, []any{l})
	return t
}

// listOf returns the list inside a variant scalar input.
func listOf(t *tensor.Tensor) (*tensorList, error) {
	if t.Rank() != 0 {
		return nil, kernel.Invalid("Input list must be a scalar saw: %v", t.Shape())
	}
	if t.DType() != tensor.Variant {
		return nil, kernel.Invalid("Input handle is not a list. Saw a %v tensor", t.DType())
	}
	return asList(t.Data().([]any)[0])
}

// asList returns the list a variant element holds: one an op built, or
// one serialised in a graph constant.
func asList(v any) (*tensorList, error) {
	switch x := v.(type) {
	case *tensorList:
		return x, nil
	case *tfpb.VariantTensorDataProto:
		l, err := decodeList(x)
		if err != nil {
			return nil, kernel.Invalid("Input handle is not a list: %v", err)
		}
		return l, nil
	}
	return nil, kernel.Invalid("Input handle is not a list. Saw: '%T'", v)
}

// checkListDType checks an op's element_dtype against the list's.
// listArg checks that a kernel got n inputs and returns input 0 as a list
// whose elements are of dtype dt.
func listArg(in []*tensor.Tensor, n int, dt tensor.DType) (*tensorList, error) {
	if err := kernel.CheckInputs(in, n); err != nil {
		return nil, err
	}
	l, err := listOf(in[0])
	if err != nil {
		return nil, err
	}
	if err := checkListDType(l, dt); err != nil {
		return nil, err
	}
	return l, nil
}

func checkListDType(l *tensorList, dt tensor.DType) error {
	if dt != l.dtype {
		return kernel.Invalid("Invalid data types; op elements %v but list elements %v", dt, l.dtype)
	}
	return nil
}

// elementShape merges an element_shape input with the list's.
func (l *tensorList) elementShape(in *tensor.Tensor) (pshape, error) {
	s, err := shapeFromTensor(in)
	if err != nil {
		return pshape{}, err
	}
	return s.merge(l.shape)
}

// mergeSet merges the shapes of the set elements at indices (all when
// indices is nil) into s, when the list's own element shape is not fully
// defined.
func (l *tensorList) mergeSet(s pshape, indices []int) (pshape, error) {
	if l.shape.fullyDefined() {
		return s, nil
	}
	merge := func(t *tensor.Tensor) error {
		if t == nil {
			return nil
		}
		m, err := s.mergeShape(t.Shape())
		s = m
		return err
	}
	if indices == nil {
		for _, t := range l.elems {
			if err := merge(t); err != nil {
				return pshape{}, err
			}
		}
		return s, nil
	}
	for _, i := range indices {
		if err := merge(l.elems[i]); err != nil {
			return pshape{}, err
		}
	}
	return s, nil
}

// newEmptyTensorList is EmptyTensorList: (element_shape, max_num_elements)
// → an empty list.
func newEmptyTensorList(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	if _, err := checkShapeType(n); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		maxNum, err := scalarIndex(in[1], "max_num_elements expected to be a scalar but got shape: %v")
		if err != nil {
			return nil, err
		}
		shape, err := shapeFromTensor(in[0])
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{listHandle(&tensorList{shape: shape, dtype: dtype, maxNum: maxNum})}, nil
	}, nil
}

// newTensorListReserve is TensorListReserve: (element_shape, num_elements)
// → a list of num_elements unset elements.
func newTensorListReserve(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	if _, err := checkShapeType(n); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		shape, err := shapeFromTensor(in[0])
		if err != nil {
			return nil, err
		}
		num, err := scalarIndex(in[1], "num_elements expected to be a scalar but got shape: %v")
		if err != nil {
			return nil, err
		}
		if num < 0 {
			return nil, kernel.Invalid("The num_elements to reserve must be a non negative number, but got %d", num)
		}
		if err := checkLength(num); err != nil {
			return nil, err
		}
		l := &tensorList{elems: make([]*tensor.Tensor, num), shape: shape, dtype: dtype, maxNum: -1}
		return []*tensor.Tensor{listHandle(l)}, nil
	}, nil
}

// newTensorListFromTensor is TensorListFromTensor: (tensor, element_shape)
// → a list of the tensor's rows.
func newTensorListFromTensor(n *kernel.Node) (kernel.Kernel, error) {
	if _, err := checkShapeType(n); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		shape, err := shapeFromTensor(in[1])
		if err != nil {
			return nil, err
		}
		t := in[0]
		if t.Rank() == 0 {
			return nil, kernel.Invalid("Tensor must be at least a vector, but saw shape: %v", t.Shape())
		}
		elem := t.Shape()[1:]
		if !shape.compatible(elem) {
			return nil, kernel.Invalid("Specified a list with shape %v from a tensor with shape %v", shape, elem)
		}
		l := &tensorList{elems: make([]*tensor.Tensor, t.Shape()[0]), shape: shape, dtype: t.DType(), maxNum: -1}
		for i := range l.elems {
			if l.elems[i], err = rows(t, i, i+1, elem); err != nil {
				return nil, err
			}
		}
		return []*tensor.Tensor{listHandle(l)}, nil
	}, nil
}

// zeroItem returns zeros for an unset element, of the shape the list, the
// op's element_shape input and (when scanAll) the list's set elements
// agree on.
func (l *tensorList) zeroItem(shapeIn *tensor.Tensor, scanAll bool) (*tensor.Tensor, error) {
	s, err := l.elementShape(shapeIn)
	if err != nil {
		return nil, err
	}
	if scanAll && !s.fullyDefined() {
		for _, t := range l.elems {
			if t == nil {
				continue
			}
			if s, err = s.mergeShape(t.Shape()); err != nil {
				return nil, err
			}
		}
	}
	shape, ok := s.shape()
	if !ok {
		return nil, kernel.Invalid("Trying to read an uninitialized tensor but element_shape is not fully defined: %v and no list element is set.", s)
	}
	return zeros(l.dtype, shape)
}

// newTensorListGetItem is TensorListGetItem: (list, index, element_shape)
// → the element; zeros of the element shape for an unset one.
func newTensorListGetItem(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		l, err := listArg(in, 3, dtype)
		if err != nil {
			return nil, err
		}
		i, err := scalarIndex(in[1], "index must be a scalar, got shape %v")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(l.elems) {
			return nil, kernel.Invalid("Trying to access element %d in a list with %d elements.", i, len(l.elems))
		}
		if t := l.elems[i]; t != nil {
			return []*tensor.Tensor{t}, nil
		}
		z, err := l.zeroItem(in[2], true)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{z}, nil
	}, nil
}

// newTensorListSetItem is TensorListSetItem: (list, index, item) → a new
// list with item at index.
func newTensorListSetItem(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	resize, err := n.Attrs.Bool("resize_if_index_out_of_bounds", false)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		l, err := listArg(in, 3, dtype)
		if err != nil {
			return nil, err
		}
		i, err := scalarIndex(in[1], "index must be a scalar, got shape %v")
		if err != nil {
			return nil, err
		}
		if i < 0 || (!resize && i >= len(l.elems)) {
			return nil, kernel.Invalid("Trying to modify element %d in a list with %d elements.", i, len(l.elems))
		}
		item := in[2]
		if item.DType() != l.dtype {
			return nil, kernel.Invalid("Invalid data types; op elements %v but list elements %v", item.DType(), l.dtype)
		}
		if !l.shape.compatible(item.Shape()) {
			return nil, kernel.Invalid("Tried to set a tensor with incompatible shape at a list index. Item element shape: %v list shape: %v", item.Shape(), l.shape)
		}
		if err := checkLength(i + 1); err != nil {
			return nil, err
		}
		out := l.with(max(len(l.elems), i+1))
		out.elems[i] = item
		return []*tensor.Tensor{listHandle(out)}, nil
	}, nil
}

// newTensorListStack is TensorListStack: (list, element_shape) → the
// elements stacked along a new first dimension, zeros for unset ones.
func newTensorListStack(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	numElements, err := n.Attrs.Int("num_elements", -1)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		l, err := listArg(in, 2, dtype)
		if err != nil {
			return nil, err
		}
		if numElements != -1 && int64(len(l.elems)) != numElements {
			return nil, kernel.Invalid("Operation expected a list with %d elements but got a list with %d elements.", numElements, len(l.elems))
		}
		s, err := l.elementShape(in[1])
		if err != nil {
			return nil, err
		}
		if !s.fullyDefined() && len(l.elems) == 0 {
			return nil, kernel.Invalid("Tried to stack elements of an empty list with non-fully-defined element_shape: %v", s)
		}
		if s, err = l.mergeSet(s, nil); err != nil {
			return nil, err
		}
		elem, ok := s.shape()
		if !ok {
			return nil, kernel.Invalid("Tried to stack list which only contains uninitialized tensors and has a non-fully-defined element_shape: %v", s)
		}
		out, err := l.gather(nil, elem)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// gather stacks the elements at indices (all when nil), each of shape
// elem, zeros standing for unset ones.
func (l *tensorList) gather(indices []int, elem tensor.Shape) (*tensor.Tensor, error) {
	n := len(indices)
	if indices == nil {
		n = len(l.elems)
	}
	parts := make([]*tensor.Tensor, n)
	zero := make([]int, n)
	per := elem.NumElements()
	for k := range parts {
		i := k
		if indices != nil {
			i = indices[k]
		}
		t := l.elems[i]
		if t == nil {
			if per > 0 && (l.dtype == tensor.Variant || l.dtype == tensor.Resource) {
				return nil, kernel.Unsupported("zeros of dtype %v", l.dtype)
			}
			zero[k] = per
			continue
		}
		if t.NumElements() != per {
			return nil, kernel.Invalid("list element %d has shape %v, want %v", i, t.Shape(), elem)
		}
		parts[k] = t
	}
	return concat(l.dtype, prepend(n, elem), parts, zero)
}

// newTensorListPushBack is TensorListPushBack: (list, tensor) → a new list
// with tensor appended.
func newTensorListPushBack(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		item := in[1]
		if item.DType() != dtype {
			return nil, kernel.Invalid("Invalid data types; list elements %v but tried to append %v", dtype, item.DType())
		}
		l, err := listOf(in[0])
		if err != nil {
			return nil, err
		}
		if !l.shape.compatible(item.Shape()) {
			return nil, kernel.Invalid("Tried to append a tensor with incompatible shape to a list. Op element shape: %v list shape: %v", item.Shape(), l.shape)
		}
		if err := checkListDType(l, dtype); err != nil {
			return nil, err
		}
		if l.maxNum != -1 && len(l.elems) >= l.maxNum {
			return nil, kernel.Invalid("Tried to push item into a full list list size: %d max_num_elements: %d", len(l.elems), l.maxNum)
		}
		out := l.with(len(l.elems) + 1)
		out.elems[len(l.elems)] = item
		return []*tensor.Tensor{listHandle(out)}, nil
	}, nil
}

// newTensorListPopBack is TensorListPopBack: (list, element_shape) → the
// list without its last element, and that element.
func newTensorListPopBack(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		l, err := listArg(in, 2, dtype)
		if err != nil {
			return nil, err
		}
		if len(l.elems) == 0 {
			return nil, kernel.Invalid("Trying to pop from an empty list.")
		}
		t := l.elems[len(l.elems)-1]
		if t == nil {
			if t, err = l.zeroItem(in[1], false); err != nil {
				return nil, err
			}
		}
		return []*tensor.Tensor{listHandle(l.with(len(l.elems) - 1)), t}, nil
	}, nil
}

// tlLength is TensorListLength: list → its number of elements.
func tlLength(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	l, err := listOf(in[0])
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(int32(len(l.elems)))}, nil
}

// newTensorListElementShape is TensorListElementShape: list → its element
// shape, -1 for unknown dimensions, the scalar -1 for an unknown rank.
func newTensorListElementShape(n *kernel.Node) (kernel.Kernel, error) {
	dt, err := checkShapeType(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		l, err := listOf(in[0])
		if err != nil {
			return nil, err
		}
		if !l.shape.known {
			if dt == tensor.Int64 {
				return []*tensor.Tensor{tensor.Scalar(int64(-1))}, nil
			}
			return []*tensor.Tensor{tensor.Scalar(int32(-1))}, nil
		}
		out, err := kernel.IntsTensor(dt, l.shape.dims)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// newTensorListGather is TensorListGather: (list, indices, element_shape)
// → the elements at indices, stacked.
func newTensorListGather(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		l, err := listArg(in, 3, dtype)
		if err != nil {
			return nil, err
		}
		indices, err := kernel.Ints(in[1])
		if err != nil {
			return nil, kernel.Invalid("indices: %v", err)
		}
		if indices == nil {
			indices = []int{}
		}
		s, err := l.elementShape(in[2])
		if err != nil {
			return nil, err
		}
		if !s.fullyDefined() && len(indices) == 0 {
			return nil, kernel.Invalid("Tried to gather 0-elements from a list with non-fully-defined shape: %v", s)
		}
		for _, i := range indices {
			if i < 0 || i >= len(l.elems) {
				return nil, kernel.Invalid("Index %d out o range; list only has %d elements.", i, len(l.elems))
			}
		}
		if s, err = l.mergeSet(s, indices); err != nil {
			return nil, err
		}
		elem, ok := s.shape()
		if !ok {
			return nil, kernel.Invalid("Tried to gather uninitialized tensors from a list with non-fully-defined element_shape: %v", s)
		}
		out, err := l.gather(indices, elem)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// newTensorListScatter is TensorListScatter and TensorListScatterV2:
// (tensor, indices, element_shape[, num_elements]) → a new list with row k
// of tensor at indices[k].
func newTensorListScatter(n *kernel.Node) (kernel.Kernel, error) {
	if _, err := checkShapeType(n); err != nil {
		return nil, err
	}
	v2 := n.Op() == "TensorListScatterV2"
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		want := 3
		if v2 {
			want = 4
		}
		if err := kernel.CheckInputs(in, want); err != nil {
			return nil, err
		}
		shape, err := shapeFromTensor(in[2])
		if err != nil {
			return nil, err
		}
		num := -1
		if v2 {
			if num, err = scalarIndex(in[3], "num_elements must be a scalar, got shape %v"); err != nil {
				return nil, err
			}
			if num < -1 {
				return nil, kernel.Invalid("TensorListScatter expects num_elements >= -1, found: %d", num)
			}
		}
		t := in[0]
		if t.Rank() == 0 {
			return nil, kernel.Invalid("Tensor must be at least a vector, but saw shape: %v", t.Shape())
		}
		elem := t.Shape()[1:]
		if !shape.compatible(elem) {
			return nil, kernel.Invalid("Specified a list with shape %v from a tensor with shape %v", shape, elem)
		}
		indices, err := kernel.Ints(in[1])
		if err != nil {
			return nil, kernel.Invalid("indices: %v", err)
		}
		if len(indices) != t.Shape()[0] {
			return nil, kernel.Invalid("Invalid number of rows in input tensor. Expected: %d Actual: %d", len(indices), t.Shape()[0])
		}
		highest := -1
		for _, i := range indices {
			if i < 0 {
				return nil, kernel.Invalid("Indices in TensorListScatter must all be non-negative.")
			}
			if num != -1 && i >= num {
				return nil, kernel.Invalid("TensorListScatter: Trying to scatter at index %d in list with size %d", i, num)
			}
			highest = max(highest, i)
		}
		if err := checkLength(max(highest+1, num)); err != nil {
			return nil, err
		}
		l := &tensorList{elems: make([]*tensor.Tensor, max(highest+1, num)), shape: shape, dtype: t.DType(), maxNum: -1}
		if err := l.scatter(t, indices); err != nil {
			return nil, err
		}
		return []*tensor.Tensor{listHandle(l)}, nil
	}, nil
}

// scatter sets element indices[k] to row k of t, in order (a repeated
// index keeps the last row).
func (l *tensorList) scatter(t *tensor.Tensor, indices []int) error {
	elem := t.Shape()[1:]
	for k, i := range indices {
		r, err := rows(t, k, k+1, elem)
		if err != nil {
			return err
		}
		l.elems[i] = r
	}
	return nil
}

// tlScatterIntoExisting is TensorListScatterIntoExistingList: (list,
// tensor, indices) → a new list, grown to fit, with row k at indices[k].
func tlScatterIntoExisting(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	l, err := listOf(in[0])
	if err != nil {
		return nil, err
	}
	t := in[1]
	if t.DType() != l.dtype {
		return nil, kernel.Invalid("Invalid data types; input tensor type: %v list element_type: %v", t.DType(), l.dtype)
	}
	if t.Rank() == 0 {
		return nil, kernel.Invalid("Tensor must be at least a vector, but saw shape: %v", t.Shape())
	}
	indices, err := vectorIndices(in[2], "Expected indices to be a vector, but received shape: %v")
	if err != nil {
		return nil, err
	}
	if len(indices) != t.Shape()[0] {
		return nil, kernel.Invalid("Expected len(indices) == tensor.shape[0], but saw: %d vs. %d", len(indices), t.Shape()[0])
	}
	highest := -1
	for _, i := range indices {
		if i < 0 {
			return nil, kernel.Invalid("Indices in TensorListScatter must all be non-negative.")
		}
		highest = max(highest, i)
	}
	if err := checkLength(highest + 1); err != nil {
		return nil, err
	}
	out := l.with(max(len(l.elems), highest+1))
	if err := out.scatter(t, indices); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{listHandle(out)}, nil
}

// newTensorListConcat is TensorListConcat (element_shape attribute) and
// TensorListConcatV2 (element_shape and leading_dims inputs): the elements
// joined along their first dimension, and their lengths.
func newTensorListConcat(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	v2 := n.Op() == "TensorListConcatV2"
	var attrExcept0 pshape
	if !v2 {
		s, err := shapeAttr(n, "element_shape")
		if err != nil {
			return nil, err
		}
		attrExcept0 = s.dropFirst()
	} else if _, err := checkShapeType(n); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		want := 1
		if v2 {
			want = 3
		}
		if err := kernel.CheckInputs(in, want); err != nil {
			return nil, err
		}
		l, err := listOf(in[0])
		if err != nil {
			return nil, err
		}
		if err := checkListDType(l, dtype); err != nil {
			return nil, err
		}
		firstDim := -1
		except0 := attrExcept0
		var leading []int
		if v2 {
			s, err := l.elementShape(in[1])
			if err != nil {
				return nil, err
			}
			if s.known && len(s.dims) == 0 {
				return nil, kernel.Invalid("Concat requires elements to be at least vectors, found scalars instead.")
			}
			if s.known {
				firstDim = s.dims[0]
			}
			except0 = s.dropFirst()
			if leading, err = kernel.Ints(in[2]); err != nil {
				return nil, kernel.Invalid("leading_dims: %v", err)
			}
		}
		if len(l.elems) == 0 && !except0.fullyDefined() {
			return nil, kernel.Invalid("All except the first dimension must be fully defined when concating an empty tensor list. element_shape: %v", except0)
		}
		if !l.shape.fullyDefined() {
			checkDim := firstDim == -1
			inferred := firstDim
			for i, t := range l.elems {
				if t == nil {
					continue
				}
				if t.Rank() == 0 {
					return nil, kernel.Invalid("Concat saw a scalar shape at index %d but requires at least vectors.", i)
				}
				if except0, err = except0.mergeShape(t.Shape()[1:]); err != nil {
					return nil, err
				}
				d := t.Shape()[0]
				if firstDim != -1 && firstDim != d {
					return nil, kernel.Invalid("First entry of element_shape input does not match the first dim of list element at index: %d Expected: %d Actual: %d", i, firstDim, d)
				}
				if checkDim {
					if inferred == -1 {
						inferred = d
					} else if inferred != d {
						inferred, checkDim = -1, false
					}
				}
			}
			firstDim = inferred
		}
		rest, ok := except0.shape()
		if !ok {
			return nil, kernel.Invalid("Trying to concat list with only uninitialized tensors but element_shape_except_first_dim_ is not fully defined: %v", except0)
		}
		lengths := make([]int64, len(l.elems))
		parts := make([]*tensor.Tensor, len(l.elems))
		zero := make([]int, len(l.elems))
		per := rest.NumElements()
		total := 0
		for i, t := range l.elems {
			var d int
			switch {
			case t != nil:
				if t.Rank() == 0 || !t.Shape()[1:].Equal(rest) {
					return nil, kernel.Invalid("list element %d has shape %v, want %v", i, t.Shape(), pshape{known: true, dims: append([]int{-1}, rest...)})
				}
				d = t.Shape()[0]
				parts[i] = t
			case (!v2 || i >= len(leading)) && firstDim != -1:
				d = firstDim
			case !v2:
				return nil, kernel.Invalid("Concating lists with uninitialized tensors is not supported in this version of TensorListConcat. Consider updating your GraphDef to run the newer version.")
			case i >= len(leading):
				return nil, kernel.Invalid("List contains uninitialized tensor at index %d but leading_dims has only %d elements.", i, len(leading))
			default:
				d = leading[i]
				if d < 0 {
					return nil, kernel.Invalid("leading_dims[%d] is negative: %d", i, d)
				}
			}
			if t == nil {
				if d*per > 0 && (l.dtype == tensor.Variant || l.dtype == tensor.Resource) {
					return nil, kernel.Unsupported("zeros of dtype %v", l.dtype)
				}
				zero[i] = d * per
			}
			lengths[i] = int64(d)
			total += d
		}
		out, err := concat(l.dtype, prepend(total, rest), parts, zero)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out, tensor.MustFromSlice(tensor.Shape{len(lengths)}, lengths)}, nil
	}, nil
}

// tlSplit is TensorListSplit: (tensor, element_shape, lengths) → a list of
// consecutive pieces of tensor along its first dimension.
func tlSplit(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	shape, err := shapeFromTensor(in[1])
	if err != nil {
		return nil, err
	}
	if shape.known && len(shape.dims) == 0 {
		return nil, kernel.Invalid("TensorListSplit requires element_shape to be at least of rank 1, but saw: %v", shape)
	}
	t := in[0]
	if t.Rank() == 0 {
		return nil, kernel.Invalid("Tensor must be at least a vector, but saw shape: %v", t.Shape())
	}
	if !shape.dropFirst().compatible(t.Shape()[1:]) {
		return nil, kernel.Invalid("tensor shape %v is not compatible with element_shape %v", t.Shape(), shape)
	}
	lengths, err := vectorIndices(in[2], "Expected lengths to be a vector, received shape: %v")
	if err != nil {
		return nil, err
	}
	l := &tensorList{elems: make([]*tensor.Tensor, len(lengths)), shape: shape, dtype: t.DType(), maxNum: -1}
	start, n := 0, t.Shape()[0]
	for i, length := range lengths {
		if length < 0 {
			return nil, kernel.Invalid("Invalid value in lengths: %d", length)
		}
		end := start + length
		if end > n {
			return nil, kernel.Invalid("Attempting to slice [%d, %d] from tensor with length %d", start, end, n)
		}
		if l.elems[i], err = rows(t, start, end, append(tensor.Shape{length}, t.Shape()[1:]...)); err != nil {
			return nil, err
		}
		start = end
	}
	if start != n {
		return nil, kernel.Invalid("Unused values in tensor. Length of tensor: %d Values used: %d", n, start)
	}
	return []*tensor.Tensor{listHandle(l)}, nil
}

// tlResize is TensorListResize: (list, size) → a new list truncated or
// padded with unset elements.
func tlResize(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	l, err := listOf(in[0])
	if err != nil {
		return nil, err
	}
	size, err := scalarIndex(in[1], "size must be a scalar, got shape %v")
	if err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, kernel.Invalid("TensorListSlice expects size to be non-negative. Got: %d", size)
	}
	if err := checkLength(size); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{listHandle(l.with(size))}, nil
}

// newTensorListConcatLists is TensorListConcatLists: two equally shaped
// tensors of lists → the lists of the second appended, pairwise, to those
// of the first.
func newTensorListConcatLists(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "element_dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		a, b := in[0], in[1]
		if !a.Shape().Equal(b.Shape()) {
			return nil, kernel.Invalid("Incompatible input TensorList tensor shapes: %v vs. %v", a.Shape(), b.Shape())
		}
		if a.DType() != tensor.Variant || b.DType() != tensor.Variant {
			return nil, kernel.Invalid("inputs must be variant tensors of lists, got %v and %v", a.DType(), b.DType())
		}
		as, bs := a.Data().([]any), b.Data().([]any)
		out := make([]any, len(as))
		for k := range as {
			la, err := asList(as[k])
			if err != nil {
				return nil, kernel.Invalid("input_a is not a TensorList at index %d: %v", k, err)
			}
			lb, err := asList(bs[k])
			if err != nil {
				return nil, kernel.Invalid("input_b is not a TensorList at index %d: %v", k, err)
			}
			if la.dtype != dtype {
				return nil, kernel.Invalid("input_a[%d].dtype != element_dtype.  Saw: %v vs. %v", k, la.dtype, dtype)
			}
			if lb.dtype != dtype {
				return nil, kernel.Invalid("input_b[%d].dtype != element_dtype.  Saw: %v vs. %v", k, lb.dtype, dtype)
			}
			if la.shape.String() != lb.shape.String() {
				return nil, kernel.Invalid("input_a and input_b TensorList element shapes are not identical at index %d.  Saw %v vs. %v", k, la.shape, lb.shape)
			}
			l := la.with(len(la.elems) + len(lb.elems))
			copy(l.elems[len(la.elems):], lb.elems)
			out[k] = l
		}
		t, err := tensor.FromAny(tensor.Variant, a.Shape(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}
