package array

import (
	"github.com/tfoffload/tfoffload/internal/tfshape"
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
			rank, bt.Shape(), st.Shape())
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

func stridedSliceFactory(n *kernel.Node) (kernel.Kernel, error) {
	m, err := tfshape.ReadStridedSliceMasks(n.Attrs)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		x, bt, et, st := in[0], in[1], in[2], in[3]
		if bt.Rank() != 1 || et.Rank() != 1 || st.Rank() != 1 ||
			bt.NumElements() != st.NumElements() || et.NumElements() != st.NumElements() || bt.NumElements() >= 32 {
			return nil, kernel.Invalid("Expected begin, end, and strides to be 1D equal size tensors, but got shapes %s, %s, and %s instead.",
				bt.Shape(), et.Shape(), st.Shape())
		}
		if bt.DType() != st.DType() || et.DType() != st.DType() {
			return nil, kernel.Invalid("begin, end and strides must have the same dtype, got %v, %v and %v", bt.DType(), et.DType(), st.DType())
		}
		var spec [3][]int
		for k, t := range []*tensor.Tensor{bt, et, st} {
			var err error
			if spec[k], err = indices(t); err != nil {
				return nil, err
			}
		}
		ss, err := tfshape.ValidateStridedSlice(x.Shape(), spec[0], spec[1], spec[2], m)
		if err != nil {
			return nil, err
		}
		out, err := gather(x, ss.Begin, ss.Strides, ss.Processing, ss.Final)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}
