package tfshape

import "fmt"

// Padding is TensorFlow's padding algorithm of a windowed op. The zero
// value is VALID.
type Padding int

// The padding algorithms.
const (
	PaddingValid Padding = iota
	PaddingSame
	PaddingExplicit
)

// ParsePadding reads a padding attribute's value.
func ParsePadding(s string) (Padding, error) {
	switch s {
	case "VALID":
		return PaddingValid, nil
	case "SAME":
		return PaddingSame, nil
	case "EXPLICIT":
		return PaddingExplicit, nil
	}
	return 0, invalid("invalid padding %q", s)
}

func (p Padding) String() string {
	switch p {
	case PaddingSame:
		return "SAME"
	case PaddingExplicit:
		return "EXPLICIT"
	}
	return "VALID"
}

// Windowed returns the output size of a window of k elements, dilated by
// dilation and moved by stride, over in elements, and the padding before
// and after the input, as TensorFlow's GetWindowedOutputSizeVerbose
// computes them: SAME pads to ceil(in/stride) outputs with the odd element
// after; EXPLICIT uses the given padding.
func Windowed(in, k, dilation, stride int, p Padding, padBefore, padAfter int) (out, before, after int, err error) {
	if stride <= 0 || dilation <= 0 {
		return 0, 0, 0, invalid("stride %d and dilation %d must be positive", stride, dilation)
	}
	eff := (k-1)*dilation + 1
	switch p {
	case PaddingValid:
		out = (in - eff + stride) / stride
	case PaddingExplicit:
		out = (in + padBefore + padAfter - eff + stride) / stride
		before, after = padBefore, padAfter
	case PaddingSame:
		out = (in + stride - 1) / stride
		need := max(0, (out-1)*stride+eff-in)
		before, after = need/2, need-need/2
	}
	if out < 0 {
		return 0, 0, 0, invalid("computed output size would be negative: %d [input_size: %d, effective_filter_size: %d, stride: %d]", out, in, eff, stride)
	}
	return out, before, after, nil
}

// ExplicitPaddings reads a 4-D op's explicit_paddings (before and after
// each dimension, in the data format's order) for the padding mode: empty
// unless EXPLICIT, then 8 non-negative values that leave the batch and
// depth unpadded. It returns the padding of the rows and columns.
func ExplicitPaddings(explicit []int64, p Padding, nchw bool) (top, bottom, left, right int, err error) {
	if p != PaddingExplicit {
		if len(explicit) != 0 {
			return 0, 0, 0, 0, invalid("explicit_paddings must be empty if the padding type is not EXPLICIT")
		}
		return 0, 0, 0, 0, nil
	}
	if len(explicit) != 8 {
		return 0, 0, 0, 0, invalid("explicit_paddings must contain 8 values, but got %d", len(explicit))
	}
	for _, v := range explicit {
		if v < 0 || v > 1<<31-1 {
			return 0, 0, 0, 0, invalid("explicit_paddings: all elements must be nonnegative int32 values, got %v", explicit)
		}
	}
	batch, depth, rows, cols := 0, 3, 1, 2
	if nchw {
		depth, rows, cols = 1, 2, 3
	}
	if explicit[2*batch] != 0 || explicit[2*batch+1] != 0 || explicit[2*depth] != 0 || explicit[2*depth+1] != 0 {
		return 0, 0, 0, 0, fmt.Errorf("nonzero explicit padding in the batch or depth dimensions is not supported: %w", ErrUnsupported)
	}
	return int(explicit[2*rows]), int(explicit[2*rows+1]), int(explicit[2*cols]), int(explicit[2*cols+1]), nil
}
