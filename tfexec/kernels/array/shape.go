package array

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// shapeTensor encodes dims as a 1-D tensor of dtype dt, failing as
// TensorFlow does when a dimension does not fit int32.
func shapeTensor(dt tensor.DType, dims tensor.Shape, what string) (*tensor.Tensor, error) {
	if dt == tensor.Int32 {
		for i, d := range dims {
			if d > math.MaxInt32 {
				return nil, kernel.Invalid("%s output type is 32-bit but dim %d is %d", what, i, d)
			}
		}
	}
	return kernel.IntsTensor(dt, dims)
}

func shapeFactory(n *kernel.Node) (kernel.Kernel, error) {
	dt, err := outType(n, "out_type")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		out, err := shapeTensor(dt, in[0].Shape(), "Shape")
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func shapeNFactory(n *kernel.Node) (kernel.Kernel, error) {
	dt, err := outType(n, "out_type")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		outs := make([]*tensor.Tensor, len(in))
		for i, t := range in {
			out, err := shapeTensor(dt, t.Shape(), fmt.Sprintf("ShapeN input %d:", i))
			if err != nil {
				return nil, err
			}
			outs[i] = out
		}
		return outs, nil
	}, nil
}

func sizeFactory(n *kernel.Node) (kernel.Kernel, error) {
	dt, err := outType(n, "out_type")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		size := in[0].Shape().NumElements()
		if dt == tensor.Int32 {
			if size > math.MaxInt32 {
				return nil, kernel.Invalid("Number of elements was larger than representable by 32-bit output type")
			}
			return []*tensor.Tensor{tensor.Scalar(int32(size))}, nil
		}
		return []*tensor.Tensor{tensor.Scalar(int64(size))}, nil
	}, nil
}

func rankKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(int32(in[0].Rank()))}, nil
}

// reshapeKernel follows TensorFlow's ReshapeOp, including its inference of
// the -1 dimension for empty inputs: zero-sized dimensions of the input are
// left out of the element count when the requested shape has a zero too, so
// that the other dimensions can still be inferred.
func reshapeKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, sizes := in[0], in[1]
	if sizes.Rank() != 1 {
		return nil, kernel.Invalid("sizes input must be 1-D, not %s", debugShape(sizes.Shape()))
	}
	if sizes.DType() != tensor.Int32 && sizes.DType() != tensor.Int64 {
		return nil, kernel.Invalid("desired shape must be a DT_INT32 or DT_INT64 vector, not a %v", sizes.DType())
	}
	dims, err := kernel.Ints(sizes)
	if err != nil {
		return nil, err
	}
	shape := make(tensor.Shape, len(dims))
	product, unknown, hasZero := 1, -1, false
	for d, size := range dims {
		switch {
		case size == -1:
			if unknown != -1 {
				return nil, kernel.Invalid("Only one input size may be -1, not both %d and %d", unknown, d)
			}
			unknown = d
			shape[d] = 1
		case size < 0:
			return nil, kernel.Invalid("Size %d must be non-negative, not %d", d, size)
		case size == 0:
			shape[d] = 0
			hasZero = true
		default:
			if product > math.MaxInt/size {
				return nil, kernel.Invalid("Reshape: requested shape %v has too many elements", dims)
			}
			shape[d] = size
			product *= size
		}
	}
	if unknown != -1 {
		count, inputHasZero := 1, false
		for _, d := range x.Shape() {
			if d > 0 || !hasZero {
				count *= d
			} else {
				inputHasZero = true
			}
		}
		missing := count / product
		if !inputHasZero && product*missing != count {
			return nil, kernel.Invalid("Input to reshape is a tensor with %d values, but the requested shape requires a multiple of %d", count, product)
		}
		shape[unknown] = missing
	}
	if got, want := shape.NumElements(), x.NumElements(); got != want {
		return nil, kernel.Invalid("Input to reshape is a tensor with %d values, but the requested shape has %d", want, got)
	}
	out, err := reshaped(x, shape)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func squeezeFactory(n *kernel.Node) (kernel.Kernel, error) {
	// The NodeDef attribute is squeeze_dims; Python's "axis" argument maps
	// onto it, but accept "axis" too for hand-written graphs.
	name := "squeeze_dims"
	if !n.Attrs.Has(name) && n.Attrs.Has("axis") {
		name = "axis"
	}
	raw, err := n.Attrs.Ints(name, nil)
	if err != nil {
		return nil, err
	}
	dims := make([]int, len(raw))
	for i, d := range raw {
		if d < math.MinInt32 || d > math.MaxInt32 {
			return nil, fmt.Errorf("node %q (%s): attribute %q value %d is out of range", n.Name(), n.Op(), name, d)
		}
		dims[i] = int(d)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		rank := x.Rank()
		squeeze := make([]bool, rank)
		for _, d := range dims {
			if d < -rank || d >= rank {
				return nil, kernel.Invalid("Tried to squeeze dim index %d for tensor with %d dimensions.", d, rank)
			}
			if d < 0 {
				d += rank
			}
			squeeze[d] = true
		}
		shape := make(tensor.Shape, 0, rank)
		for i, d := range x.Shape() {
			switch {
			case len(dims) > 0 && squeeze[i]:
				if d != 1 {
					return nil, kernel.Invalid("Can not squeeze dim[%d], expected a dimension of 1, got %d", i, d)
				}
			case len(dims) > 0 || d != 1:
				shape = append(shape, d)
			}
		}
		out, err := reshaped(x, shape)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func expandDimsKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x := in[0]
	if in[1].NumElements() != 1 {
		return nil, kernel.Invalid("'dim' must be a tensor with a single value")
	}
	v, err := indices(in[1])
	if err != nil {
		return nil, err
	}
	dim, rank := v[0], x.Rank()
	if dim < -1-rank || dim > rank {
		return nil, kernel.Invalid("Tried to expand dim index %d for tensor with %d dimensions.", dim, rank)
	}
	if dim < 0 {
		dim += rank + 1
	}
	shape := make(tensor.Shape, 0, rank+1)
	shape = append(shape, x.Shape()[:dim]...)
	shape = append(shape, 1)
	shape = append(shape, x.Shape()[dim:]...)
	out, err := x.Reshape(shape)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// broadcastArgsKernel returns the broadcast of two shape vectors.
func broadcastArgsKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	var shapes [2]tensor.Shape
	for i, t := range in {
		if t.Rank() != 1 {
			return nil, kernel.Invalid("In[%d] must be a vector.%s", i, debugShape(t.Shape()))
		}
		dims, err := indices(t)
		if err != nil {
			return nil, err
		}
		shapes[i] = dims
	}
	if in[1].DType() != in[0].DType() {
		return nil, kernel.Invalid("s1 has dtype %v, want %v", in[1].DType(), in[0].DType())
	}
	b, err := tensor.BroadcastShapes(shapes[0], shapes[1])
	if err != nil {
		return nil, kernel.Invalid("Incompatible shapes: [%s] vs. [%s]", joinInts(shapes[0]), joinInts(shapes[1]))
	}
	out, err := kernel.IntsTensor(in[0].DType(), b)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}
