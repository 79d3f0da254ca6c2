package array

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func sliceKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	x, bt, st := in[0], in[1], in[2]
	rank := x.Rank()
	if bt.Rank() != 1 || st.Rank() != 1 || bt.NumElements() != rank || st.NumElements() != rank {
		return nil, kernel.Invalid("Expected begin and size arguments to be 1-D tensors of size %d, but got shapes %s and %s instead.",
			rank, debugShape(bt.Shape()), debugShape(st.Shape()))
	}
	begin, err := indices(bt)
	if err != nil {
		return nil, err
	}
	size, err := indices(st)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	strides := make([]int, rank)
	for i := range size {
		if size[i] == -1 {
			size[i] = shape[i] - begin[i]
		}
		b, s := begin[i], size[i]
		if shape[i] == 0 {
			if b != 0 || s != 0 {
				return nil, kernel.Invalid("Expected begin[%d] == 0 (got %d) and size[%d] == 0 (got %d) when input.dim_size(%d) == 0",
					i, b, i, s, i)
			}
		} else {
			if b < 0 || b > shape[i] {
				return nil, kernel.Invalid("Expected begin[%d] in [0, %d], but got %d", i, shape[i], b)
			}
			if s < 0 || b+s > shape[i] {
				return nil, kernel.Invalid("Expected size[%d] in [0, %d], but got %d", i, shape[i]-b, s)
			}
		}
		strides[i] = 1
	}
	out, err := gather(x, begin, strides, tensor.Shape(size), tensor.Shape(size))
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// gather copies the strided box of x starting at begin (one index per
// dimension, stepping by strides, with extents shape) into a new tensor of
// shape final (shape with unit dimensions added or removed). The whole
// input is returned as is, and a box that is one contiguous run of x as a
// view of x's memory, as TensorFlow forwards such slices.
func gather(x *tensor.Tensor, begin, strides []int, shape, final tensor.Shape) (*tensor.Tensor, error) {
	if shape.Equal(x.Shape()) {
		identity := true
		for i := range begin {
			identity = identity && begin[i] == 0 && strides[i] == 1
		}
		if identity {
			return reshaped(x, final)
		}
	}
	n := shape.NumElements()
	if n == 0 {
		return newOutput(x.DType(), final)
	}
	inStr := x.Shape().Strides()
	r := region{shape: shape, dStr: shape.Strides(), sStr: make([]int, len(shape))}
	for i := range shape {
		r.sOff += begin[i] * inStr[i]
		r.sStr[i] = strides[i] * inStr[i]
	}
	if s, _ := r.simplify(); len(s.shape) == 0 || (len(s.shape) == 1 && s.sStr[0] == 1) {
		return subTensor(x, r.sOff, r.sOff+n, final)
	}
	out, err := newOutput(x.DType(), final)
	if err != nil {
		return nil, err
	}
	move(out, x, r)
	return out, nil
}

// stridedSliceMasks are StridedSlice's five bit-mask attributes.
type stridedSliceMasks struct {
	begin, end, ellipsis, newAxis, shrink int
}

func stridedSliceFactory(n *kernel.Node) (kernel.Kernel, error) {
	var m stridedSliceMasks
	for _, a := range []struct {
		name string
		dst  *int
	}{
		{"begin_mask", &m.begin}, {"end_mask", &m.end}, {"ellipsis_mask", &m.ellipsis},
		{"new_axis_mask", &m.newAxis}, {"shrink_axis_mask", &m.shrink},
	} {
		v, err := intAttr(n, a.name, 0)
		if err != nil {
			return nil, err
		}
		*a.dst = v
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		x := in[0]
		spec, err := validateStridedSlice(x.Shape(), in[1], in[2], in[3], m)
		if err != nil {
			return nil, err
		}
		out, err := gather(x, spec.begin, spec.strides, spec.processing, spec.final)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// stridedSliceSpec is a validated StridedSlice: per input dimension the
// first index and the step, the shape of the strided box ("processing"
// shape) and the output shape after new and shrunk axes.
type stridedSliceSpec struct {
	begin, strides    []int
	processing, final tensor.Shape
}

// Markers in finalDims for dimensions that do not come from the input.
const (
	shrunkAxis = -1
	newAxis    = -2
)

// validateStridedSlice follows TensorFlow's ValidateStridedSliceOp: the
// sparse spec (begin/end/strides with ellipsis and new axes) is expanded to
// one entry per input dimension, masked and negative indices are made
// explicit and clamped, and shrunk indices are bounds-checked.
func validateStridedSlice(shape tensor.Shape, bt, et, st *tensor.Tensor, m stridedSliceMasks) (*stridedSliceSpec, error) {
	if bt.Rank() != 1 || et.Rank() != 1 || st.Rank() != 1 ||
		bt.NumElements() != st.NumElements() || et.NumElements() != st.NumElements() || bt.NumElements() >= 32 {
		return nil, kernel.Invalid("Expected begin, end, and strides to be 1D equal size tensors, but got shapes %s, %s, and %s instead.",
			debugShape(bt.Shape()), debugShape(et.Shape()), debugShape(st.Shape()))
	}
	if bt.DType() != st.DType() || et.DType() != st.DType() {
		return nil, kernel.Invalid("begin, end and strides must have the same dtype, got %v, %v and %v", bt.DType(), et.DType(), st.DType())
	}
	sBegin, err := indices(bt)
	if err != nil {
		return nil, err
	}
	sEnd, err := indices(et)
	if err != nil {
		return nil, err
	}
	sStrides, err := indices(st)
	if err != nil {
		return nil, err
	}
	if m.ellipsis&(m.ellipsis-1) != 0 {
		return nil, kernel.Invalid("Multiple ellipses in slice spec not allowed")
	}

	// Step 1: count the new axes after the ellipsis; without an ellipsis,
	// the spec behaves as if one ended it.
	sparseDims := len(sStrides)
	ellipsisMask := m.ellipsis
	addAfterEllipsis, seen := 0, false
	for i := 0; i < sparseDims; i++ {
		if seen && m.newAxis&(1<<i) != 0 {
			addAfterEllipsis++
		}
		if ellipsisMask&(1<<i) != 0 {
			seen = true
		}
	}
	if !seen {
		ellipsisMask |= 1 << sparseDims
		sparseDims++
	}

	// Step 2: the dense spec, one entry per input dimension.
	dims := len(shape)
	buf := make([]int, 4*dims+sparseDims+dims) // one allocation for the small vectors
	begin, end, strides := buf[:dims:dims], buf[dims:2*dims:2*dims], buf[2*dims:3*dims:3*dims]
	processing := tensor.Shape(buf[3*dims : 4*dims : 4*dims])
	finalDims := buf[4*dims : 4*dims : len(buf)] // input dimension, shrunkAxis or newAxis
	var beginMask, endMask, shrinkMask int
	full := 0
	for i := 0; i < sparseDims; i++ {
		bit := 1 << i
		switch {
		case ellipsisMask&bit != 0:
			next := min(dims-(sparseDims-i)+1+addAfterEllipsis, dims)
			for ; full < next; full++ {
				strides[full] = 1
				beginMask |= 1 << full
				endMask |= 1 << full
				finalDims = append(finalDims, full)
			}
		case m.newAxis&bit != 0:
			finalDims = append(finalDims, newAxis)
		default:
			if full == dims {
				return nil, kernel.Invalid("Index out of range using input dim %d; input has only %d dims", full, dims)
			}
			begin[full], end[full], strides[full] = sBegin[i], sEnd[i], sStrides[i]
			if m.begin&bit != 0 {
				beginMask |= 1 << full
			}
			if m.end&bit != 0 {
				endMask |= 1 << full
			}
			if m.shrink&bit != 0 {
				finalDims = append(finalDims, shrunkAxis)
				shrinkMask |= 1 << full
			} else {
				finalDims = append(finalDims, full)
			}
			full++
		}
	}

	// Step 3: canonical begin/end and the processing shape.
	for i := 0; i < dims; i++ {
		stride, dim := strides[i], shape[i]
		if stride == 0 {
			return nil, kernel.Invalid("strides[%d] must be non-zero", i)
		}
		shrink := shrinkMask&(1<<i) != 0
		if shrink && stride <= 0 {
			return nil, kernel.Invalid("only stride 1 allowed on non-range indexing.")
		}
		lo, hi := 0, dim // the valid range for stride > 0
		if stride < 0 {
			lo, hi = -1, dim-1
		}
		canonical := func(x int, masked bool, isEnd bool) int {
			if masked {
				if (stride > 0) != isEnd {
					return lo
				}
				return hi
			}
			if x < 0 {
				x += dim
			}
			return max(lo, min(x, hi))
		}
		if shrink {
			x := begin[i]
			if x < 0 {
				x += dim
			}
			if x < 0 || x >= dim {
				return nil, kernel.Invalid("slice index %d of dimension %d out of bounds.", x, i)
			}
			begin[i], end[i] = x, x+1
		} else {
			begin[i] = canonical(begin[i], beginMask&(1<<i) != 0, false)
			end[i] = canonical(end[i], endMask&(1<<i) != 0, true)
		}
		interval := end[i] - begin[i]
		switch {
		case interval == 0 || (interval < 0) != (stride < 0):
			processing[i] = 0
		default:
			processing[i] = interval / stride
			if interval%stride != 0 {
				processing[i]++
			}
		}
	}

	// Step 4: the final shape.
	final := make(tensor.Shape, 0, len(finalDims))
	for _, d := range finalDims {
		switch d {
		case shrunkAxis:
		case newAxis:
			final = append(final, 1)
		default:
			final = append(final, processing[d])
		}
	}
	if processing.NumElements() != final.NumElements() {
		return nil, fmt.Errorf("strided slice: processing shape %v and final shape %v disagree", processing, final)
	}
	return &stridedSliceSpec{begin: begin, strides: strides, processing: processing, final: final}, nil
}
