package reduce

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// realNumber is the set of element types with ordering and arithmetic.
type realNumber interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
		float32 | float64
}

// number adds the complex types to realNumber.
type number interface {
	realNumber | complex64 | complex128
}

// integer is the set of integer element types.
type integer interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// Dtype sets, as TensorFlow's CPU kernels register them.
var (
	realDTypes   = kernel.RealTypes()
	numberDTypes = kernel.NumberTypes()
	boolType     = []tensor.DType{tensor.Bool}
)

// indexTypeAttr reads an optional index-type attribute restricted to the
// given dtypes, returning def when it is absent.
func indexTypeAttr(n *kernel.Node, attr string, def tensor.DType, allowed ...tensor.DType) (tensor.DType, error) {
	dt, err := n.Attrs.Type(attr, def)
	if err != nil {
		return 0, err
	}
	for _, a := range allowed {
		if a == dt {
			return dt, nil
		}
	}
	return 0, n.AttrError(attr, kernel.Unsupported("%v", dt))
}

// intsOf returns the elements of an int16, int32 or int64 tensor as ints.
func intsOf(t *tensor.Tensor, what string) ([]int, error) {
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
	return nil, kernel.Unsupported("%s dtype %v (want an integer index type)", what, t.DType())
}

// scalarInt reads a scalar int16, int32 or int64 input.
func scalarInt(t *tensor.Tensor, what, wording string) (int, error) {
	if t.Rank() != 0 {
		return 0, kernel.Invalid(wording, t.Shape())
	}
	v, err := intsOf(t, what)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// lowest returns the identity of a maximum: -Inf for floats, the smallest
// value for integers (Eigen's MinMaxBottomValue).
func lowest[T realNumber]() T {
	var z T
	switch p := any(&z).(type) {
	case *float32:
		*p = float32(math.Inf(-1))
	case *float64:
		*p = math.Inf(-1)
	case *int8:
		*p = math.MinInt8
	case *int16:
		*p = math.MinInt16
	case *int32:
		*p = math.MinInt32
	case *int64:
		*p = math.MinInt64
	}
	return z
}

// highest returns the identity of a minimum: +Inf for floats, the largest
// value for integers.
func highest[T realNumber]() T {
	var z T
	switch p := any(&z).(type) {
	case *float32:
		*p = float32(math.Inf(1))
	case *float64:
		*p = math.Inf(1)
	case *int8:
		*p = math.MaxInt8
	case *int16:
		*p = math.MaxInt16
	case *int32:
		*p = math.MaxInt32
	case *int64:
		*p = math.MaxInt64
	case *uint8:
		*p = math.MaxUint8
	case *uint16:
		*p = math.MaxUint16
	case *uint32:
		*p = math.MaxUint32
	case *uint64:
		*p = math.MaxUint64
	}
	return z
}

// finiteLowest returns the most negative finite value of T (Eigen's
// NumTraits::lowest), the starting value of ArgMax.
func finiteLowest[T realNumber]() T {
	var z T
	switch p := any(&z).(type) {
	case *float32:
		*p = -math.MaxFloat32
	case *float64:
		*p = -math.MaxFloat64
	default:
		return lowest[T]()
	}
	return z
}

// finiteHighest returns the largest finite value of T (Eigen's
// NumTraits::highest), the starting value of ArgMin.
func finiteHighest[T realNumber]() T {
	var z T
	switch p := any(&z).(type) {
	case *float32:
		*p = math.MaxFloat32
	case *float64:
		*p = math.MaxFloat64
	default:
		return highest[T]()
	}
	return z
}
