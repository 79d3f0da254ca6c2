package kernel

import "github.com/tfoffload/tfoffload/tensor"

// MaxOutputBytes bounds outputs whose size comes from input values
// (segment counts, stitch indices) rather than input shapes, so that an
// absurd value is an error instead of a failed allocation.
const MaxOutputBytes = 1 << 35

// CheckOutput returns an ErrInvalidArgument error when a tensor of dtype
// dt and shape s cannot be allocated or would hold more than
// MaxOutputBytes (counting at least 16 bytes an element).
func CheckOutput(dt tensor.DType, s tensor.Shape) error {
	if _, err := tensor.ShapeFromInt64s(s.Int64s()); err != nil {
		return Invalid("output shape %v: %v", s, err)
	}
	size := max(dt.Size(), 16)
	if n := s.NumElements(); n > MaxOutputBytes/size {
		return Invalid("output shape %v is too large (%d elements)", s, n)
	}
	return nil
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
