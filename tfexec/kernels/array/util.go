package array

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// debugShape formats a shape as TensorFlow's DebugString does: "[2,3]".
func debugShape(s tensor.Shape) string { return s.String() }

// indices returns the elements of an integer index tensor (int16, int32 or
// int64, the index types TensorFlow's array ops accept) as ints.
func indices(t *tensor.Tensor) ([]int, error) {
	switch v := t.Data().(type) {
	case []int16:
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out, nil
	case []int32, []int64:
		return kernel.Ints(t)
	}
	return nil, kernel.Invalid("expected an int32 or int64 index tensor, got %v", t.DType())
}

// makeShape turns a shape input (a vector of int32 or int64) into a Shape,
// as TensorFlow's MakeShape does.
func makeShape(t *tensor.Tensor, name string) (tensor.Shape, error) {
	if t.Rank() > 1 {
		return nil, kernel.Invalid("%s must be a vector, got shape %s", name, debugShape(t.Shape()))
	}
	dims, err := indices(t)
	if err != nil {
		return nil, err
	}
	n := 1
	for i, d := range dims {
		if d < 0 {
			return nil, kernel.Invalid("Dimension %d must be >= 0, got %d", i, d)
		}
		if d != 0 && n > math.MaxInt/d {
			return nil, kernel.Invalid("Shape %v would have more than 2**63 - 1 elements", dims)
		}
		n *= d
	}
	return tensor.Shape(dims), nil
}

// joinInts formats ints as "1,2,3".
func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

// outType reads an int32/int64 output type attribute such as out_type.
func outType(n *kernel.Node, name string) (tensor.DType, error) {
	dt, err := n.Attrs.Type(name, tensor.Int32)
	if err != nil {
		return 0, err
	}
	if dt != tensor.Int32 && dt != tensor.Int64 {
		return 0, fmt.Errorf("node %q (%s): attribute %q is %v, want int32 or int64: %w",
			n.Name(), n.Op(), name, dt, kernel.ErrUnsupported)
	}
	return dt, nil
}

// intAttr reads an int attribute that must fit an int.
func intAttr(n *kernel.Node, name string, def int64) (int, error) {
	v, err := n.Attrs.Int(name, def)
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("node %q (%s): attribute %q = %d is out of range", n.Name(), n.Op(), name, v)
	}
	return int(v), nil
}

// checkSameDType reports an error unless every input has dtype dt.
func checkSameDType(in []*tensor.Tensor, dt tensor.DType) error {
	for i, t := range in {
		if t.DType() != dt {
			return kernel.Invalid("input %d has dtype %v, expected %v", i, t.DType(), dt)
		}
	}
	return nil
}

// newOutput allocates a zeroed output tensor. Its error (a bad shape, or
// a *tensor.TooLargeError for a shape over the memory budget) names the
// dtype and shape.
func newOutput(dt tensor.DType, shape tensor.Shape) (*tensor.Tensor, error) {
	return tensor.New(dt, shape)
}

// reshaped returns t viewed with another shape of the same size, sharing
// its memory.
func reshaped(t *tensor.Tensor, shape tensor.Shape) (*tensor.Tensor, error) {
	if t.Shape().Equal(shape) {
		return t, nil
	}
	return t.Reshape(shape)
}

// one returns a one-element tensor of dtype dt holding the value 1 (true
// for bool), the fill value of OnesLike.
func one(dt tensor.DType) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Float32:
		return tensor.Scalar(float32(1)), nil
	case tensor.Float64:
		return tensor.Scalar(float64(1)), nil
	case tensor.Float16:
		return tensor.Scalar(tensor.NewF16(1)), nil
	case tensor.BFloat16:
		return tensor.Scalar(tensor.NewBF16(1)), nil
	case tensor.Int8:
		return tensor.Scalar(int8(1)), nil
	case tensor.Int16:
		return tensor.Scalar(int16(1)), nil
	case tensor.Int32:
		return tensor.Scalar(int32(1)), nil
	case tensor.Int64:
		return tensor.Scalar(int64(1)), nil
	case tensor.Uint8:
		return tensor.Scalar(uint8(1)), nil
	case tensor.Uint16:
		return tensor.Scalar(uint16(1)), nil
	case tensor.Uint32:
		return tensor.Scalar(uint32(1)), nil
	case tensor.Uint64:
		return tensor.Scalar(uint64(1)), nil
	case tensor.Bool:
		return tensor.Scalar(true), nil
	case tensor.Complex64:
		return tensor.Scalar(complex64(1)), nil
	case tensor.Complex128:
		return tensor.Scalar(complex128(1)), nil
	}
	return nil, kernel.Unsupported("OnesLike of dtype %v", dt)
}
