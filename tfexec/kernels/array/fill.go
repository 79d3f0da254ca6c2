package array

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// broadcast returns a new tensor of shape that repeats the single element
// of value.
func broadcast(value *tensor.Tensor, shape tensor.Shape) (*tensor.Tensor, error) {
	out, err := newOutput(value.DType(), shape)
	if err != nil {
		return nil, err
	}
	if !isZero(value) {
		fillRegion(out, 0, shape.Strides(), shape, value)
	}
	return out, nil
}

func fillKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	dims, value := in[0], in[1]
	if dims.Rank() != 1 {
		return nil, kernel.Invalid("dims must be a vector, got shape %s", debugShape(dims.Shape()))
	}
	if value.Rank() != 0 {
		return nil, kernel.Invalid("value must be a scalar, got shape %s", debugShape(value.Shape()))
	}
	shape, err := makeShape(dims, "dims")
	if err != nil {
		return nil, err
	}
	out, err := broadcast(value, shape)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func zerosLikeKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	switch x.DType() {
	case tensor.Resource, tensor.Variant:
		return nil, kernel.Unsupported("ZerosLike of dtype %v", x.DType())
	}
	out, err := newOutput(x.DType(), x.Shape())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func onesLikeKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	v, err := one(in[0].DType())
	if err != nil {
		return nil, err
	}
	out, err := broadcast(v, in[0].Shape())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// tileKernel repeats the input multiples[i] times along each dimension i:
// the output, seen as [m0, d0, m1, d1, ...], is a broadcast of the input
// seen as [1, d0, 1, d1, ...].
func tileKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, mt := in[0], in[1]
	rank := x.Rank()
	if mt.Rank() != 1 || mt.NumElements() != rank {
		return nil, kernel.Invalid("Expected multiples argument to be a vector of length %d but got length %d", rank, mt.Shape().NumElements())
	}
	if rank == 0 {
		return []*tensor.Tensor{x}, nil
	}
	multiples, err := indices(mt)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	outShape := make(tensor.Shape, rank)
	all1 := true
	for i, m := range multiples {
		if m < 0 {
			return nil, kernel.Invalid("Expected multiples[%d] >= 0, but got %d", i, m)
		}
		outShape[i] = shape[i] * m
		all1 = all1 && m == 1
	}
	if all1 {
		return []*tensor.Tensor{x}, nil
	}
	out, err := newOutput(x.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return []*tensor.Tensor{out}, nil
	}
	inStr := shape.Strides()
	r := region{shape: make([]int, 2*rank), sStr: make([]int, 2*rank)}
	for i := range multiples {
		r.shape[2*i], r.shape[2*i+1] = multiples[i], shape[i]
		r.sStr[2*i+1] = inStr[i]
	}
	r.dStr = tensor.Shape(r.shape).Strides()
	move(out, x, r)
	return []*tensor.Tensor{out}, nil
}

func broadcastToKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x := in[0]
	outShape, err := makeShape(in[1], "shape")
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	if outShape.Equal(shape) {
		return []*tensor.Tensor{x}, nil
	}
	if len(shape) > len(outShape) {
		return nil, kernel.Invalid("Rank of input (%d) must be no greater than rank of output shape (%d).", len(shape), len(outShape))
	}
	if outShape.NumElements() == 0 {
		out, err := newOutput(x.DType(), outShape)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}
	b, err := tensor.BroadcastShapes(shape, outShape)
	if err != nil {
		return nil, kernel.Invalid("Incompatible shapes: %s vs. %s", debugShape(shape), debugShape(outShape))
	}
	if !b.Equal(outShape) {
		return nil, kernel.Invalid("Unable to broadcast tensor of shape %s to tensor of shape %s", debugShape(shape), debugShape(outShape))
	}
	out, err := newOutput(x.DType(), outShape)
	if err != nil {
		return nil, err
	}
	move(out, x, region{shape: outShape, dStr: outShape.Strides(), sStr: kernel.BroadcastStrides(shape, outShape)})
	return []*tensor.Tensor{out}, nil
}

func reverseV2Kernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, at := in[0], in[1]
	// TensorFlow returns scalars and empty tensors before looking at axis.
	if x.Rank() == 0 || x.NumElements() == 0 {
		return []*tensor.Tensor{x}, nil
	}
	if at.Rank() != 1 {
		return nil, kernel.Invalid("'dims' must be 1-dimension, not %d", at.Rank())
	}
	axes, err := indices(at)
	if err != nil {
		return nil, err
	}
	rank := x.Rank()
	flip := make([]bool, rank)
	for i, a := range axes {
		c := a
		if c < 0 {
			c += rank
		}
		if c < 0 || c >= rank {
			return nil, kernel.Invalid("'axis'[%d] = %d is out of valid range [0, %d", i, a, rank-1)
		}
		if flip[c] {
			return nil, kernel.Invalid("axis %d specified more than once.", c)
		}
		flip[c] = true
	}
	out, err := reverse(x, flip)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// reverseV1Kernel implements the legacy Reverse, whose second input is one
// bool per dimension.
func reverseV1Kernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, dt := in[0], in[1]
	if dt.Rank() != 1 || dt.DType() != tensor.Bool {
		return nil, kernel.Invalid("'dims' must be 1-dimension, not %d", dt.Rank())
	}
	if x.Rank() != dt.NumElements() {
		return nil, kernel.Invalid("'dims' must have the same number of values as 'input' has dimensions. 'input' has %d'dims' has %d values",
			x.Rank(), dt.NumElements())
	}
	if x.Rank() == 0 || x.NumElements() == 0 {
		return []*tensor.Tensor{x}, nil
	}
	out, err := reverse(x, tensor.Values[bool](dt))
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// reverse flips x along the dimensions marked in flip.
func reverse(x *tensor.Tensor, flip []bool) (*tensor.Tensor, error) {
	shape := x.Shape()
	flipped := false
	for i, f := range flip {
		flipped = flipped || (f && shape[i] > 1)
	}
	if !flipped {
		return x, nil
	}
	out, err := newOutput(x.DType(), shape)
	if err != nil {
		return nil, err
	}
	str := shape.Strides()
	r := region{shape: shape, dStr: str, sStr: append([]int(nil), str...)}
	for i, f := range flip {
		if f {
			r.sOff += (shape[i] - 1) * str[i]
			r.sStr[i] = -str[i]
		}
	}
	move(out, x, r)
	return out, nil
}

// diagStrides returns, for a tensor of shape d++d, the strides that walk
// its diagonal as a tensor of shape d.
func diagStrides(d tensor.Shape) []int {
	full := append(d.Clone(), d...)
	str := full.Strides()
	out := make([]int, len(d))
	for i := range d {
		out[i] = str[i] + str[len(d)+i]
	}
	return out
}

func diagKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if x.Rank() == 0 {
		return nil, kernel.Invalid("Input must be at least rank 1, got 0")
	}
	shape := x.Shape()
	out, err := newOutput(x.DType(), append(shape.Clone(), shape...))
	if err != nil {
		return nil, err
	}
	move(out, x, region{shape: shape, dStr: diagStrides(shape), sStr: shape.Strides()})
	return []*tensor.Tensor{out}, nil
}

func diagPartKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	shape := x.Shape()
	if len(shape) == 0 || len(shape)%2 != 0 {
		return nil, kernel.Invalid("The rank of the tensor should be even and positive, got shape %s", debugShape(shape))
	}
	half := len(shape) / 2
	for i := 0; i < half; i++ {
		if shape[i] != shape[half+i] {
			return nil, kernel.Invalid("Invalid shape %s: dimensions %d and %d do not match.", debugShape(shape), i, half+i)
		}
	}
	outShape := shape[:half].Clone()
	out, err := newOutput(x.DType(), outShape)
	if err != nil {
		return nil, err
	}
	move(out, x, region{shape: outShape, dStr: outShape.Strides(), sStr: diagStrides(outShape)})
	return []*tensor.Tensor{out}, nil
}
