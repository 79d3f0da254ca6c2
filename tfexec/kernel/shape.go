package kernel

import "github.com/tfoffload/tfoffload/tensor"

// CheckOutput reports an error when an output of dtype dt and shape s,
// whose size comes from input values (segment counts, stitch indices)
// rather than input shapes, is invalid (ErrInvalidArgument) or over the
// memory budget (a *tensor.TooLargeError), before it is allocated.
func CheckOutput(dt tensor.DType, s tensor.Shape) error {
	if _, err := tensor.ShapeFromInt64s(s.Int64s()); err != nil {
		return Invalid("output shape %v: %v", s, err)
	}
	return tensor.CheckAlloc(dt, s)
}

// HasPrefix reports whether shape s begins with prefix.
func HasPrefix(s, prefix tensor.Shape) bool {
	if len(prefix) > len(s) {
		return false
	}
	for i, d := range prefix {
		if s[i] != d {
			return false
		}
	}
	return true
}
