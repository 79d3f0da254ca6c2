package tensorflow

import (
	"fmt"
	"strings"
)

// Shape represents the (possibly partially known) shape of a tensor that
// an operation will produce. The zero value is a shape with an unknown
// number of dimensions.
type Shape struct {
	dims []int64
}

// ScalarShape returns a Shape representing a scalar.
func ScalarShape() Shape { return Shape{dims: make([]int64, 0)} }

// MakeShape returns a Shape with the provided size of each dimension; -1
// means the size is not known.
func MakeShape(shape ...int64) Shape {
	cpy := make([]int64, len(shape))
	copy(cpy, shape)
	return Shape{dims: cpy}
}

// NumDimensions returns the number of dimensions of s, or -1 if unknown.
func (s Shape) NumDimensions() int {
	if s.dims == nil {
		return -1
	}
	return len(s.dims)
}

// Size returns the size of the dim-th dimension of the shape, or -1 if it
// is unknown or dim is out of range.
func (s Shape) Size(dim int) int64 {
	if dim < 0 || dim >= len(s.dims) {
		return -1
	}
	return s.dims[dim]
}

// IsFullySpecified reports whether the rank and every dimension of s are
// known.
func (s Shape) IsFullySpecified() bool {
	if s.dims == nil {
		return false
	}
	for _, size := range s.dims {
		if size < 0 {
			return false
		}
	}
	return true
}

// ToSlice returns the dimensions of s (-1 for unknown ones), or an error
// if the number of dimensions is not known.
func (s Shape) ToSlice() ([]int64, error) {
	if s.dims == nil {
		return nil, fmt.Errorf("cannot create a slice for a Shape with an unknown number of dimensions")
	}
	cpy := make([]int64, len(s.dims))
	copy(cpy, s.dims)
	return cpy, nil
}

// String formats s as the bindings do: "?" for an unknown rank, else
// "[2, ?, 3]".
func (s Shape) String() string {
	if s.dims == nil {
		return "?"
	}
	parts := make([]string, len(s.dims))
	for i, d := range s.dims {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
