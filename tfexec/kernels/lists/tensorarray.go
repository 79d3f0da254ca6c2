package lists

import (
	"sync"
	"unsafe"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// tensorArray is one TF1 TensorArray: the state behind a TensorArrayV3
// handle. Each execution of a TensorArrayV3 node creates a new one, so
// every run, and every loop iteration that creates an array, has its own;
// its mutex serialises the ops of a run that reach it concurrently.
type tensorArray struct {
	mu sync.Mutex

	name      string // for messages: tensor_array_name or the node name
	dtype     tensor.DType
	identical bool // identical_element_shapes
	clear     bool // clear_after_read
	aggregate bool // multiple writes add up (gradient arrays)
	isGrad    bool

	dynamic        bool
	closed         bool
	gradsForbidden bool
	markedSize     int
	elemShape      pshape
	elems          []taElem
	grads          map[string]*tensorArray // by gradient source
}

// taElem is one index of a TensorArray, with TensorFlow's state flags.
type taElem struct {
	t       *tensor.Tensor // nil: not written, cleared, or zeros of shape
	shape   tensor.Shape
	written bool
	read    bool
	cleared bool
}

func (ta *tensorArray) checkOpen() error {
	if ta.closed {
		return kernel.Invalid("TensorArray %s has already been closed.", ta.name)
	}
	return nil
}

// checkArraySize refuses, before allocating, an array size or write index
// from the op's inputs whose element slots alone exceed the memory budget.
func checkArraySize(n int) error {
	return tensor.CheckAlloc(tensor.Uint8, tensor.Shape{n, int(unsafe.Sizeof(taElem{}))})
}

// write stores v at index i, or adds it to what is there for a gradient
// array. Called with mu held.
func (ta *tensorArray) write(i int, v *tensor.Tensor) error {
	if err := ta.checkOpen(); err != nil {
		return err
	}
	if i < 0 || (!ta.dynamic && i >= len(ta.elems)) {
		return kernel.Invalid("TensorArray %s: Tried to write to index %d but array is not resizeable and size is: %d", ta.name, i, len(ta.elems))
	}
	if i >= len(ta.elems) {
		if err := checkArraySize(i + 1); err != nil {
			return err
		}
		ta.elems = append(ta.elems, make([]taElem, i+1-len(ta.elems))...)
	}
	if v.DType() != ta.dtype {
		return kernel.Invalid("TensorArray %s: Could not write to TensorArray index %d because the value dtype is %v but TensorArray dtype is %v.", ta.name, i, v.DType(), ta.dtype)
	}
	if !ta.elemShape.compatible(v.Shape()) {
		return kernel.Invalid("TensorArray %s: Could not write to TensorArray index %d because the value shape is %v which is incompatible with the TensorArray's inferred element shape: %v (consider setting infer_shape=False).", ta.name, i, v.Shape(), ta.elemShape)
	} else if ta.identical && !ta.elemShape.fullyDefined() {
		ta.elemShape = knownShape(v.Shape())
	}
	e := &ta.elems[i]
	if e.read {
		return kernel.Invalid("TensorArray %s: Could not write to TensorArray index %d because it has already been read.", ta.name, i)
	}
	if !ta.aggregate && e.written {
		return kernel.Invalid("TensorArray %s: Could not write to TensorArray index %d because it has already been written to.", ta.name, i)
	}
	if !e.written {
		e.t, e.shape, e.written = v, v.Shape(), true
		return nil
	}
	if !v.Shape().Equal(e.shape) {
		return kernel.Invalid("TensorArray %s: Could not aggregate to TensorArray index %d because the existing shape is %v but the new input shape is %v.", ta.name, i, e.shape, v.Shape())
	}
	if e.t == nil || e.t.NumElements() == 0 {
		e.t = v // only a shape was stored: it stood for zeros
		return nil
	}
	sum, err := add(e.t, v)
	if err != nil {
		return err
	}
	e.t = sum
	ta.gradsForbidden = true
	return nil
}

// read returns the tensor at index i: zeros of the element shape when the
// index was never written and that shape is known. Called with mu held.
func (ta *tensorArray) read(i int) (*tensor.Tensor, error) {
	if err := ta.checkOpen(); err != nil {
		return nil, err
	}
	if i < 0 || (!ta.isGrad && i >= len(ta.elems)) {
		return nil, kernel.Invalid("Tried to read from index %d but array size is: %d", i, len(ta.elems))
	}
	if i >= len(ta.elems) || !ta.elems[i].written {
		var shape tensor.Shape
		if ta.isGrad && i < len(ta.elems) && len(ta.elems[i].shape) > 0 {
			shape = ta.elems[i].shape
		} else if s, ok := ta.elemShape.shape(); ok {
			shape = s
		} else {
			return nil, kernel.Invalid("TensorArray %s: Could not read from TensorArray index %d.  Furthermore, the element shape is not fully defined: %v.  It is possible you are working with a resizeable TensorArray and stop_gradients is not allowing the gradients to be written.  If you set the full element_shape property on the forward TensorArray, the proper all-zeros tensor will be returned instead of incurring this error.", ta.name, i, ta.elemShape)
		}
		for len(ta.elems) <= i {
			ta.elems = append(ta.elems, taElem{shape: shape, written: true})
		}
		ta.elems[i].shape, ta.elems[i].written = shape, true
	}
	e := &ta.elems[i]
	if e.cleared {
		return nil, kernel.Invalid("TensorArray %s: Could not read index %d twice because it was cleared after a previous read (perhaps try setting clear_after_read = false?).", ta.name, i)
	}
	if e.t == nil || e.t.NumElements() == 0 {
		if e.shape.NumElements() > 0 && !ta.dtype.IsNumeric() {
			return nil, kernel.Invalid("tensor_array::TensorSetZero type not supported: %v", ta.dtype)
		}
		z, err := zeros(ta.dtype, e.shape)
		if err != nil {
			return nil, err
		}
		e.t = z
	}
	v := e.t
	if ta.clear {
		e.t, e.cleared = nil, true
	}
	e.read = true
	return v, nil
}

// packSize is the number of elements Concat reads: the marked size for
// gradient arrays, the size otherwise.
func (ta *tensorArray) packSize() int {
	if ta.isGrad {
		return ta.markedSize
	}
	return len(ta.elems)
}

// arrayHandle wraps a TensorArray as the resource scalar its ops pass on.
func arrayHandle(ta *tensorArray) *tensor.Tensor {
	t, _ := tensor.FromAny(tensor.Resource, tensor.Shape{}, []any{ta})
	return t
}

// arrayOf returns the TensorArray behind a handle input.
func arrayOf(t *tensor.Tensor) (*tensorArray, error) {
	if t.DType() != tensor.Resource || t.NumElements() == 0 {
		return nil, kernel.Invalid("expected a TensorArray handle (a resource), got %v%v", t.DType(), t.Shape())
	}
	ta, ok := t.Data().([]any)[0].(*tensorArray)
	if !ok {
		return nil, kernel.Invalid("the resource handle does not hold a TensorArray (it holds %T)", t.Data().([]any)[0])
	}
	return ta, nil
}

// newTensorArrayV3 creates a new TensorArray each time it runs and
// outputs its handle and a flow scalar.
func newTensorArrayV3(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "dtype")
	if err != nil {
		return nil, err
	}
	elemShape, err := shapeAttr(n, "element_shape")
	if err != nil {
		return nil, err
	}
	dynamic, err := n.Attrs.Bool("dynamic_size", false)
	if err != nil {
		return nil, err
	}
	clear, err := n.Attrs.Bool("clear_after_read", true)
	if err != nil {
		return nil, err
	}
	identical, err := n.Attrs.Bool("identical_element_shapes", false)
	if err != nil {
		return nil, err
	}
	name, err := n.Attrs.String("tensor_array_name", "")
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = n.Name()
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		size, err := scalarIndex(in[0], "TensorArray size must be scalar, but had shape: %v")
		if err != nil {
			return nil, err
		}
		if size < 0 {
			return nil, kernel.Invalid("Size should be >= 0.")
		}
		if err := checkArraySize(size); err != nil {
			return nil, err
		}
		ta := &tensorArray{name: name, dtype: dtype, identical: identical, clear: clear,
			dynamic: dynamic, markedSize: -1, elemShape: elemShape.clone(), elems: make([]taElem, size)}
		return []*tensor.Tensor{arrayHandle(ta), tensor.Scalar(float32(0))}, nil
	}, nil
}

// newTensorArrayGrad returns the gradient TensorArray of a forward one for
// a gradient source, creating it on first use: an array of the same size
// whose writes add up, with the forward array's element shapes (behind
// shape_to_prepend for TensorArrayGradWithShape) standing for zeros.
func newTensorArrayGrad(n *kernel.Node) (kernel.Kernel, error) {
	source, err := n.Attrs.String("source", "")
	if err != nil {
		return nil, err
	}
	withShape := n.Op() == "TensorArrayGradWithShape"
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		want := 2
		if withShape {
			want = 3
		}
		if err := kernel.CheckInputs(in, want); err != nil {
			return nil, err
		}
		fwd, err := arrayOf(in[0])
		if err != nil {
			return nil, err
		}
		var pre tensor.Shape
		if withShape {
			p, err := vectorIndices(in[2], "shape_to_prepend must be a vector, got shape %v")
			if err != nil {
				return nil, err
			}
			for _, d := range p {
				if d < 0 {
					return nil, kernel.Invalid("shape_to_prepend has a negative dimension: %v", p)
				}
			}
			pre = tensor.Shape(p)
		}
		fwd.mu.Lock()
		defer fwd.mu.Unlock()
		fwd.dynamic = false // gradients need a fixed size
		if err := fwd.checkOpen(); err != nil {
			return nil, err
		}
		if fwd.gradsForbidden {
			return nil, kernel.Invalid("Unable to create a gradients TensorArray for %s.  Perhaps you used the multiple_writes_aggregate flag on a previous write?  Gradient calculation is impossible when multiple writes are performed to the same index.", fwd.name)
		}
		if g, ok := fwd.grads[source]; ok {
			return []*tensor.Tensor{arrayHandle(g), in[1]}, nil
		}
		elemShape := fwd.elemShape.clone()
		if withShape {
			elemShape = unknownShape
			if fwd.elemShape.known {
				elemShape = pshape{known: true, dims: append(append([]int{}, pre...), fwd.elemShape.dims...)}
			}
		}
		g := &tensorArray{name: fwd.name + "@" + source, dtype: fwd.dtype, identical: fwd.identical,
			clear: true, aggregate: true, isGrad: true, markedSize: fwd.markedSize,
			elemShape: elemShape, elems: make([]taElem, len(fwd.elems))}
		for i, e := range fwd.elems {
			if !e.written {
				continue
			}
			g.elems[i].shape = e.shape
			if withShape {
				g.elems[i].shape = append(append(tensor.Shape{}, pre...), e.shape...)
			}
			g.elems[i].written = true
		}
		if fwd.grads == nil {
			fwd.grads = map[string]*tensorArray{}
		}
		fwd.grads[source] = g
		return []*tensor.Tensor{arrayHandle(g), in[1]}, nil
	}, nil
}

// taWrite is TensorArrayWriteV3: (handle, index, value, flow_in) → flow_out.
func taWrite(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 4); err != nil {
		return nil, err
	}
	idx, err := scalarIndex(in[1], "TensorArray index must be scalar, but had shape: %v")
	if err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	if in[2].DType() != ta.dtype {
		return nil, kernel.Invalid("TensorArray dtype is %v but Op is trying to write dtype %v.", ta.dtype, in[2].DType())
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if err := ta.write(idx, in[2]); err != nil {
		return nil, err
	}
	return in[3:4], nil
}

// checkReadDType checks an op's dtype attribute against the array's.
// readArg checks that a reading kernel got n inputs and returns input 0
// as a TensorArray of elements of dtype.
func readArg(in []*tensor.Tensor, n int, dtype tensor.DType) (*tensorArray, error) {
	if err := kernel.CheckInputs(in, n); err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	if err := checkReadDType(ta, dtype); err != nil {
		return nil, err
	}
	return ta, nil
}

func checkReadDType(ta *tensorArray, dtype tensor.DType) error {
	if dtype != ta.dtype {
		return kernel.Invalid("TensorArray dtype is %v but Op requested dtype %v.", ta.dtype, dtype)
	}
	return nil
}

// newTensorArrayRead is TensorArrayReadV3: (handle, index, flow_in) → value.
func newTensorArrayRead(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "dtype")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		idx, err := scalarIndex(in[1], "TensorArray index must be scalar, but had shape: %v")
		if err != nil {
			return nil, err
		}
		ta, err := arrayOf(in[0])
		if err != nil {
			return nil, err
		}
		if err := checkReadDType(ta, dtype); err != nil {
			return nil, err
		}
		ta.mu.Lock()
		defer ta.mu.Unlock()
		v, err := ta.read(idx)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{v}, nil
	}, nil
}

// newTensorArrayGather is TensorArrayGatherV3: (handle, indices, flow_in)
// → the elements at indices, stacked.
func newTensorArrayGather(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "dtype")
	if err != nil {
		return nil, err
	}
	elemShape, err := shapeAttr(n, "element_shape")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		ta, err := readArg(in, 3, dtype)
		if err != nil {
			return nil, err
		}
		ta.mu.Lock()
		defer ta.mu.Unlock()
		merged, err := ta.elemShape.merge(elemShape)
		if err != nil {
			return nil, err
		}
		ta.elemShape = merged
		indices, err := vectorIndices(in[1], "Expected indices to be a vector, but received shape: %v")
		if err != nil {
			return nil, err
		}
		return ta.stack(indices, elemShape)
	}, nil
}

// stack reads the elements at indices and stacks them; elemShape is the
// op's element_shape attribute. Called with mu held.
func (ta *tensorArray) stack(indices []int, elemShape pshape) ([]*tensor.Tensor, error) {
	if len(indices) == 0 {
		s, ok := elemShape.shape()
		if !ok {
			return nil, kernel.Invalid("TensorArray has size zero, but element shape %v is not fully defined. Currently only static shapes are supported when packing zero-size TensorArrays.", elemShape)
		}
		out, err := zeros(ta.dtype, prepend(0, s))
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}
	vals := make([]*tensor.Tensor, len(indices))
	for k, i := range indices {
		v, err := ta.read(i)
		if err != nil {
			return nil, err
		}
		vals[k] = v
	}
	s0 := vals[0].Shape()
	if !elemShape.compatible(s0) {
		return nil, kernel.Invalid("TensorArray was passed element_shape %v which does not match the Tensor at index 0: %v", elemShape, s0)
	}
	for k, v := range vals[1:] {
		if !v.Shape().Equal(s0) {
			return nil, kernel.Invalid("TensorArray has inconsistent shapes.  Index 0 has shape: %v but index %d has shape: %v", s0, k+1, v.Shape())
		}
	}
	out, err := concat(ta.dtype, prepend(len(vals), s0), vals, nil)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// taScatter is TensorArrayScatterV3: (handle, indices, value, flow_in) →
// flow_out; row k of value is written at indices[k].
func taScatter(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 4); err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	value := in[2]
	if value.DType() != ta.dtype {
		return nil, kernel.Invalid("TensorArray dtype is %v but Op is trying to write dtype %v.", ta.dtype, value.DType())
	}
	if value.Rank() == 0 {
		return nil, kernel.Invalid("Input value for unpack must be at least a vector but received shape: %v", value.Shape())
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if err := ta.checkOpen(); err != nil {
		return nil, err
	}
	size := len(ta.elems)
	indices, err := vectorIndices(in[1], "Expected indices to be a vector, but received shape: %v")
	if err != nil {
		return nil, err
	}
	if len(indices) != value.Shape()[0] {
		return nil, kernel.Invalid("Expected len(indices) == values.shape[0], but saw: %d vs. %d", len(indices), value.Shape()[0])
	}
	maxIndex := -1
	for _, i := range indices {
		maxIndex = max(maxIndex, i)
	}
	if ta.dynamic && size < maxIndex+1 {
		size = maxIndex + 1
	}
	if maxIndex >= size {
		return nil, kernel.Invalid("Max scatter index must be < array size (%d vs. %d)", maxIndex, size)
	}
	elem := value.Shape()[1:]
	for k, i := range indices {
		v, err := rows(value, k, k+1, elem)
		if err != nil {
			return nil, err
		}
		if err := ta.write(i, v); err != nil {
			return nil, err
		}
	}
	return in[3:4], nil
}

// newTensorArrayConcat is TensorArrayConcatV3: (handle, flow_in) → the
// elements joined along their first dimension, and their lengths.
func newTensorArrayConcat(n *kernel.Node) (kernel.Kernel, error) {
	dtype, err := requireDType(n, "dtype")
	if err != nil {
		return nil, err
	}
	except0, err := shapeAttr(n, "element_shape_except0")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		ta, err := readArg(in, 2, dtype)
		if err != nil {
			return nil, err
		}
		ta.mu.Lock()
		defer ta.mu.Unlock()
		if err := ta.checkOpen(); err != nil {
			return nil, err
		}
		size := ta.packSize()
		if size <= 0 {
			s, ok := except0.shape()
			if !ok {
				return nil, kernel.Invalid("TensorArray has size zero, but element_shape_except0 %v is not fully defined. Currently only static shapes are supported when concatenating zero-size TensorArrays.", except0)
			}
			out, err := zeros(ta.dtype, prepend(0, s))
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out, tensor.MustFromSlice(tensor.Shape{0}, []int64{})}, nil
		}
		vals := make([]*tensor.Tensor, size)
		for i := range vals {
			if vals[i], err = ta.read(i); err != nil {
				return nil, err
			}
		}
		lengths := make([]int64, size)
		var rest tensor.Shape
		total := 0
		for i, v := range vals {
			s := v.Shape()
			if len(s) == 0 {
				return nil, kernel.Invalid("Concat saw a scalar shape at index %d but requires at least vectors.  Did you mean to call pack?", i)
			}
			lengths[i] = int64(s[0])
			total += s[0]
			if i == 0 {
				rest = s[1:]
				if !except0.compatible(rest) {
					return nil, kernel.Invalid("TensorArray was passed element_shape_except0 %v but index 0 has (excepting dimension 0) shape: %v which does not match.", except0, rest)
				}
			} else if !s[1:].Equal(rest) {
				return nil, kernel.Invalid("TensorArray has inconsistent shapes.  Index 0 has (excepting dimension 0) shape: %v but index %d has (excepting dimension 0) shape: %v", rest, i, s[1:])
			}
		}
		out, err := concat(ta.dtype, prepend(total, rest), vals, nil)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out, tensor.MustFromSlice(tensor.Shape{size}, lengths)}, nil
	}, nil
}

// taSplit is TensorArraySplitV3: (handle, value, lengths, flow_in) →
// flow_out; value is cut along its first dimension into pieces of the
// given lengths, written at indices 0, 1, ...
func taSplit(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 4); err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	value := in[1]
	lengths, err := vectorIndices(in[2], "Expected lengths to be a vector, received shape: %v")
	if err != nil {
		return nil, err
	}
	total := 0
	for _, l := range lengths {
		if l < 0 {
			return nil, kernel.Invalid("Invalid value in lengths: %d", l)
		}
		total += l
	}
	if value.Rank() == 0 {
		return nil, kernel.Invalid("Expected value to be at least a vector, but received shape: %v", value.Shape())
	}
	if total != value.Shape()[0] {
		return nil, kernel.Invalid("Expected sum of lengths to be equal to values.shape[0], but sum of lengths is %d and value's shape is: %v", total, value.Shape())
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if err := ta.checkOpen(); err != nil {
		return nil, err
	}
	size := len(ta.elems)
	if ta.dynamic && size < len(lengths) {
		size = len(lengths)
	}
	if size != len(lengths) {
		return nil, kernel.Invalid("TensorArray's size is not equal to the size of lengths (%d vs. %d), and the TensorArray is not marked as dynamically resizeable", size, len(lengths))
	}
	if value.DType() != ta.dtype {
		return nil, kernel.Invalid("TensorArray dtype is %v but Op is trying to write dtype %v.", ta.dtype, value.DType())
	}
	pieces := make([]*tensor.Tensor, len(lengths))
	start := 0
	for i, l := range lengths {
		shape := append(tensor.Shape{l}, value.Shape()[1:]...)
		if pieces[i], err = rows(value, start, start+l, shape); err != nil {
			return nil, err
		}
		start += l
	}
	if !ta.isGrad {
		ta.markedSize = size
	}
	for i, p := range pieces {
		if err := ta.write(i, p); err != nil {
			return nil, err
		}
	}
	return in[3:4], nil
}

// taSize is TensorArraySizeV3: (handle, flow_in) → size.
func taSize(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if err := ta.checkOpen(); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(int32(len(ta.elems)))}, nil
}

// taClose is TensorArrayCloseV3: it drops the elements; later ops on the
// array fail.
func taClose(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	ta, err := arrayOf(in[0])
	if err != nil {
		return nil, err
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	ta.elems, ta.closed = nil, true
	return nil, nil
}
