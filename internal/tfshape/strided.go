package tfshape

import (
	"fmt"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// StridedSliceMasks are StridedSlice's five bit-mask attributes.
type StridedSliceMasks struct {
	Begin, End, Ellipsis, NewAxis, Shrink int
}

// ReadStridedSliceMasks reads the masks from a node's attributes (absent
// ones are 0) and refuses more than one ellipsis.
func ReadStridedSliceMasks(a graph.Attrs) (StridedSliceMasks, error) {
	var m StridedSliceMasks
	for _, f := range []struct {
		name string
		dst  *int
	}{
		{"begin_mask", &m.Begin}, {"end_mask", &m.End}, {"ellipsis_mask", &m.Ellipsis},
		{"new_axis_mask", &m.NewAxis}, {"shrink_axis_mask", &m.Shrink},
	} {
		v, err := a.Int(f.name, 0)
		if err != nil {
			return m, err
		}
		*f.dst = int(v)
	}
	if m.Ellipsis&(m.Ellipsis-1) != 0 {
		return m, invalid("Multiple ellipses in slice spec not allowed")
	}
	return m, nil
}

// StridedDim is one input dimension of a strided slice after TensorFlow's
// sparse-to-dense expansion: its begin, end and stride as given, and
// which of them the masks replace.
type StridedDim struct {
	Begin, End, Stride     int
	BeginMasked, EndMasked bool
	Shrink                 bool
}

// Markers in a strided slice's final dimensions that are not input
// dimensions.
const (
	ShrunkAxis = -1
	NewAxis    = -2
)

// DenseStridedSlice expands a strided-slice spec (begin, end and strides
// with an ellipsis and new axes) to one entry per input dimension, as
// TensorFlow's BuildDenseSpec does, and lists the output's dimensions: an
// input dimension, ShrunkAxis or NewAxis.
func DenseStridedSlice(rank int, begin, end, strides []int, m StridedSliceMasks) ([]StridedDim, []int, error) {
	if len(begin) != len(strides) || len(end) != len(strides) {
		return nil, nil, invalid("begin, end and strides differ in length: %d, %d and %d", len(begin), len(end), len(strides))
	}
	sparse := len(strides)
	ellipsis := m.Ellipsis
	addAfterEllipsis, seen := 0, false
	for i := 0; i < sparse; i++ {
		if seen && m.NewAxis&(1<<i) != 0 {
			addAfterEllipsis++
		}
		if ellipsis&(1<<i) != 0 {
			seen = true
		}
	}
	if !seen { // as if an ellipsis ended the spec
		ellipsis |= 1 << sparse
		sparse++
	}
	dims := make([]StridedDim, rank)
	final := make([]int, 0, rank+sparse)
	full := 0
	for i := 0; i < sparse; i++ {
		bit := 1 << i
		switch {
		case ellipsis&bit != 0:
			next := min(rank-(sparse-i)+1+addAfterEllipsis, rank)
			for ; full < next; full++ {
				dims[full] = StridedDim{Stride: 1, BeginMasked: true, EndMasked: true}
				final = append(final, full)
			}
		case m.NewAxis&bit != 0:
			final = append(final, NewAxis)
		default:
			if full == rank {
				return nil, nil, invalid("Index out of range using input dim %d; input has only %d dims", full, rank)
			}
			d := StridedDim{Begin: begin[i], End: end[i], Stride: strides[i],
				BeginMasked: m.Begin&bit != 0, EndMasked: m.End&bit != 0, Shrink: m.Shrink&bit != 0}
			dims[full] = d
			if d.Shrink {
				final = append(final, ShrunkAxis)
			} else {
				final = append(final, full)
			}
			full++
		}
	}
	return dims, final, nil
}

// Resolve returns dimension i's first index, end and element count for an
// input dimension of the given size, as TensorFlow canonicalizes them:
// masked bounds become the ends of the range the stride walks, negative
// indices count from the end, and indices are clamped; a shrunk index
// must lie inside the dimension.
func (d StridedDim) Resolve(i, size int) (begin, end, count int, err error) {
	stride := d.Stride
	if stride == 0 {
		return 0, 0, 0, invalid("strides[%d] must be non-zero", i)
	}
	if d.Shrink {
		if stride <= 0 {
			return 0, 0, 0, invalid("only stride 1 allowed on non-range indexing.")
		}
		x := d.Begin
		if x < 0 {
			x += size
		}
		if x < 0 || x >= size {
			return 0, 0, 0, invalid("slice index %d of dimension %d out of bounds.", x, i)
		}
		return x, x + 1, 1, nil
	}
	lo, hi := 0, size // the valid range for stride > 0
	if stride < 0 {
		lo, hi = -1, size-1
	}
	canonical := func(x int, masked, isEnd bool) int {
		if masked {
			if (stride > 0) != isEnd {
				return lo
			}
			return hi
		}
		if x < 0 {
			x += size
		}
		return max(lo, min(x, hi))
	}
	begin, end = canonical(d.Begin, d.BeginMasked, false), canonical(d.End, d.EndMasked, true)
	interval := end - begin
	if interval != 0 && (interval < 0) == (stride < 0) {
		count = interval / stride
		if interval%stride != 0 {
			count++
		}
	}
	return begin, end, count, nil
}

// StridedSlice is a validated strided slice of a tensor: per input
// dimension the first index and the step, the shape of the strided box
// (TensorFlow's "processing" shape) and the output shape after new and
// shrunk axes.
type StridedSlice struct {
	Begin, Strides    []int
	Processing, Final tensor.Shape
}

// ValidateStridedSlice follows TensorFlow's ValidateStridedSliceOp for an
// input of the given shape.
func ValidateStridedSlice(shape tensor.Shape, begin, end, strides []int, m StridedSliceMasks) (*StridedSlice, error) {
	if len(strides) >= 32 {
		return nil, invalid("a strided slice spec has at most 31 entries, got %d", len(strides))
	}
	dims, finalDims, err := DenseStridedSlice(len(shape), begin, end, strides, m)
	if err != nil {
		return nil, err
	}
	s := &StridedSlice{Begin: make([]int, len(shape)), Strides: make([]int, len(shape)), Processing: make(tensor.Shape, len(shape))}
	for i, d := range dims {
		b, _, n, err := d.Resolve(i, shape[i])
		if err != nil {
			return nil, err
		}
		s.Begin[i], s.Processing[i] = b, n
		s.Strides[i] = d.Stride
		if d.Shrink {
			s.Strides[i] = 1
		}
	}
	s.Final = make(tensor.Shape, 0, len(finalDims))
	for _, d := range finalDims {
		switch d {
		case ShrunkAxis:
		case NewAxis:
			s.Final = append(s.Final, 1)
		default:
			s.Final = append(s.Final, s.Processing[d])
		}
	}
	if s.Processing.NumElements() != s.Final.NumElements() {
		return nil, fmt.Errorf("strided slice: processing shape %v and final shape %v disagree", s.Processing, s.Final)
	}
	return s, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}
