package array

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// paddings reads and checks a [rank, 2] paddings input; mirror selects
// MirrorPad's wording of the negative-padding error.
func paddings(t *tensor.Tensor, x *tensor.Tensor, mirror bool) (before, after []int, err error) {
	s := t.Shape()
	if len(s) != 2 || s[1] != 2 {
		return nil, nil, kernel.Invalid("paddings must be a matrix with 2 columns: %s", debugShape(s))
	}
	if s[0] != x.Rank() {
		return nil, nil, kernel.Invalid("The first dimension of paddings must be the rank of inputs%s, %s",
			debugShape(s), debugShape(x.Shape()))
	}
	v, err := indices(t)
	if err != nil {
		return nil, nil, err
	}
	before, after = make([]int, s[0]), make([]int, s[0])
	for d := range before {
		before[d], after[d] = v[2*d], v[2*d+1]
		if before[d] < 0 || after[d] < 0 {
			word := "Paddings"
			if mirror {
				word = "paddings"
			}
			return nil, nil, kernel.Invalid("%s must be non-negative: %d %d", word, before[d], after[d])
		}
	}
	return before, after, nil
}

// padKernel implements Pad (zeros) and PadV2 (a scalar constant_values
// input of the input's dtype).
func padKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) != 2 && len(in) != 3 {
		return nil, fmt.Errorf("expected 2 or 3 inputs, got %d", len(in))
	}
	x := in[0]
	before, after, err := paddings(in[1], x, false)
	if err != nil {
		return nil, err
	}
	var value *tensor.Tensor
	if len(in) == 3 {
		value = in[2]
		if value.Rank() != 0 {
			return nil, kernel.Invalid("constant_values must be a scalar. Found: %s", debugShape(value.Shape()))
		}
		if value.DType() != x.DType() {
			return nil, kernel.Invalid("constant_values has dtype %v, want %v", value.DType(), x.DType())
		}
	}
	outShape := make(tensor.Shape, x.Rank())
	noPad := true
	for d, n := range x.Shape() {
		outShape[d] = before[d] + n + after[d]
		noPad = noPad && before[d] == 0 && after[d] == 0
	}
	if noPad {
		return []*tensor.Tensor{x}, nil
	}
	out, err := newOutput(x.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if value != nil && !isZero(value) {
		fillRegion(out, 0, outShape.Strides(), outShape, value)
	}
	placeCenter(out, x, before)
	return []*tensor.Tensor{out}, nil
}

// placeCenter copies x into out, which is x padded by before elements at
// the start of each dimension.
func placeCenter(out, x *tensor.Tensor, before []int) {
	outStr := out.Shape().Strides()
	off := 0
	for d, b := range before {
		off += b * outStr[d]
	}
	move(out, x, region{shape: x.Shape(), dOff: off, dStr: outStr, sStr: x.Shape().Strides()})
}

// isZero reports whether a one-element tensor holds its dtype's zero value
// (all bytes zero, or the empty string).
func isZero(t *tensor.Tensor) bool {
	if s, ok := t.Data().([]string); ok {
		return s[0] == ""
	}
	if !t.DType().FixedSize() {
		return false
	}
	for _, b := range t.Bytes() {
		if b != 0 {
			return false
		}
	}
	return true
}

func mirrorPadFactory(n *kernel.Node) (kernel.Kernel, error) {
	mode, err := n.Attrs.String("mode", "")
	if err != nil {
		return nil, err
	}
	var offset int
	switch mode {
	case "REFLECT":
		offset = 1
	case "SYMMETRIC":
		offset = 0
	default:
		return nil, fmt.Errorf("node %q (%s): attribute \"mode\" must be REFLECT or SYMMETRIC, got %q: %w",
			n.Name(), n.Op(), mode, kernel.ErrUnsupported)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		x := in[0]
		before, after, err := paddings(in[1], x, true)
		if err != nil {
			return nil, err
		}
		shape := x.Shape()
		outShape := make(tensor.Shape, len(shape))
		for d, size := range shape {
			if offset == 0 && (before[d] > size || after[d] > size) {
				return nil, kernel.Invalid("paddings must be no greater than the dimension size: %d, %d greater than %d",
					before[d], after[d], size)
			}
			if offset == 1 && (before[d] >= size || after[d] >= size) {
				return nil, kernel.Invalid("paddings must be less than the dimension size: %d, %d not less than %d",
					before[d], after[d], size)
			}
			outShape[d] = before[d] + size + after[d]
		}
		out, err := newOutput(x.DType(), outShape)
		if err != nil {
			return nil, err
		}
		if out.NumElements() == 0 {
			return []*tensor.Tensor{out}, nil
		}
		placeCenter(out, x, before)
		mirrorEdges(out, shape, before, after, offset)
		return []*tensor.Tensor{out}, nil
	}, nil
}

// mirrorEdges fills the padding of out, whose center already holds the
// input, one dimension at a time: the edges of dimension d are mirrored
// copies of out's own elements, over the full extent of the dimensions
// before d (already padded) and the center of those after it. offset is 1
// for REFLECT (the edge element is not repeated) and 0 for SYMMETRIC.
func mirrorEdges(out *tensor.Tensor, inShape tensor.Shape, before, after []int, offset int) {
	outShape := out.Shape()
	str := outShape.Strides()
	for d := range inShape {
		if before[d] == 0 && after[d] == 0 {
			continue
		}
		shape := make([]int, len(inShape))
		base := 0
		for a := range inShape {
			if a < d {
				shape[a] = outShape[a]
			} else {
				shape[a] = inShape[a]
				base += before[a] * str[a]
			}
		}
		base -= before[d] * str[d] // position 0 along d
		srcStr := append([]int(nil), str...)
		srcStr[d] = -str[d]
		b, size := before[d], inShape[d]
		var regions []region
		if b > 0 {
			shape := append([]int(nil), shape...)
			shape[d] = b
			// Output position p < b mirrors position 2b-1+offset-p.
			regions = append(regions, region{shape: shape, dOff: base, dStr: str,
				sOff: base + (2*b-1+offset)*str[d], sStr: srcStr})
		}
		if a := after[d]; a > 0 {
			shape := append([]int(nil), shape...)
			shape[d] = a
			// Output position p ≥ b+size mirrors position 2b+2size-1-offset-p.
			p := b + size
			regions = append(regions, region{shape: shape, dOff: base + p*str[d], dStr: str,
				sOff: base + (2*b+2*size-1-offset-p)*str[d], sStr: srcStr})
		}
		move(out, out, regions...)
	}
}
