package array

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func splitFactory(n *kernel.Node) (kernel.Kernel, error) {
	num, err := intAttr(n, "num_split", 0)
	if err != nil {
		return nil, err
	}
	if num < 1 {
		return nil, fmt.Errorf("node %q (%s): attribute \"num_split\" must be >= 1, got %d", n.Name(), n.Op(), num)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		x := in[1]
		axis, err := splitAxis(in[0], x.Rank())
		if err != nil {
			return nil, err
		}
		size := x.Shape()[axis]
		if size%num != 0 {
			return nil, kernel.Invalid("Number of ways to split should evenly divide the split dimension, but got split_dim %d (size = %d) and num_split %d",
				axis, size, num)
		}
		if num == 1 {
			return []*tensor.Tensor{x}, nil
		}
		if err := kernel.CheckOutputCount(num); err != nil { // only an empty dimension lets num exceed it
			return nil, err
		}
		sizes := make([]int, num)
		for i := range sizes {
			sizes[i] = size / num
		}
		return split(x, axis, sizes)
	}, nil
}

// splitAxis reads Split's and SplitV's split_dim input and normalises it.
func splitAxis(t *tensor.Tensor, rank int) (int, error) {
	if t.NumElements() != 1 {
		return 0, kernel.Invalid("split_dim_tensor must have exactly one element.")
	}
	v, err := indices(t)
	if err != nil {
		return 0, err
	}
	axis := v[0]
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, kernel.Invalid("-input rank(-%d) <= split_dim < input rank (%d), but got %d", rank, rank, v[0])
	}
	return axis, nil
}

func splitVFactory(n *kernel.Node) (kernel.Kernel, error) {
	num, err := intAttr(n, "num_split", 0)
	if err != nil {
		return nil, err
	}
	if num < 1 {
		return nil, fmt.Errorf("node %q (%s): attribute \"num_split\" must be >= 1, got %d", n.Name(), n.Op(), num)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x, sizeT := in[0], in[1]
		if sizeT.Rank() != 1 || sizeT.NumElements() != num {
			return nil, kernel.Invalid("size of the split_tensor must be 1-D and have the same elements as outputs got %d -D and %d elements",
				sizeT.Rank(), sizeT.NumElements())
		}
		sizes, err := indices(sizeT)
		if err != nil {
			return nil, err
		}
		axis, err := splitAxis(in[2], x.Rank())
		if err != nil {
			return nil, err
		}
		total := x.Shape()[axis]
		if num == 1 {
			if sizes[0] != total {
				return nil, kernel.Invalid("If there is only one output, it must have the same size as the input. Input size: %d output size: %d",
					total, sizes[0])
			}
			return []*tensor.Tensor{x}, nil
		}
		negOne, determined := -1, 0
		for d, s := range sizes {
			if s == -1 {
				if negOne != -1 {
					return nil, kernel.Invalid("There can only be one -1 in the input.")
				}
				negOne = d
			} else {
				determined += s
			}
		}
		if (negOne == -1 && determined != total) || (negOne >= 0 && determined > total) {
			return nil, kernel.Invalid("Determined shape must either match input shape along split_dim exactly if fully specified, "+
				"or be less than the size of the input along split_dim if not fully specified.  Got: %d", determined)
		}
		if negOne >= 0 {
			sizes[negOne] = total - determined
		}
		for i, s := range sizes {
			if s < 0 {
				return nil, kernel.Invalid("Split size at index %d must be >= 0. Got: %d", i, s)
			}
		}
		return split(x, axis, sizes)
	}, nil
}

// split cuts x along axis into pieces of the given sizes, which sum to the
// axis's extent. Pieces that are contiguous in x share its memory.
func split(x *tensor.Tensor, axis int, sizes []int) ([]*tensor.Tensor, error) {
	shape := x.Shape()
	rows, inner := shape[:axis].NumElements(), shape[axis+1:].NumElements()
	outs := make([]*tensor.Tensor, len(sizes))
	widths := make([]int, len(sizes))
	dsts := make([]*tensor.Tensor, len(sizes))
	copies, off := 0, 0
	for i, s := range sizes {
		outShape := shape.Clone()
		outShape[axis] = s
		widths[i] = s * inner
		var err error
		if rows <= 1 || widths[i] == 0 {
			// A single block (or nothing at all): share x's memory.
			lo, n := off, outShape.NumElements()
			if n == 0 {
				lo = 0
			}
			outs[i], err = subTensor(x, lo, lo+n, outShape)
		} else {
			outs[i], err = newOutput(x.DType(), outShape)
			dsts[i] = outs[i]
			copies++
		}
		if err != nil {
			return nil, err
		}
		off += widths[i]
	}
	if copies > 0 {
		splitInto(dsts, x, widths, rows)
	}
	return outs, nil
}

func unpackFactory(n *kernel.Node) (kernel.Kernel, error) {
	num, err := intAttr(n, "num", 0)
	if err != nil {
		return nil, err
	}
	if num < 0 {
		return nil, fmt.Errorf("node %q (%s): attribute \"num\" must be >= 0, got %d", n.Name(), n.Op(), num)
	}
	axis, err := intAttr(n, "axis", 0)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		shape := x.Shape()
		rank := len(shape)
		a := axis
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, kernel.Invalid("axis = %d not in [%d, %d)", axis, -rank, rank)
		}
		if shape[a] != num {
			return nil, kernel.Invalid("Input shape axis %d must equal %d, got shape %s", a, num, debugShape(shape))
		}
		sizes := make([]int, num)
		for i := range sizes {
			sizes[i] = 1
		}
		pieces, err := split(x, a, sizes)
		if err != nil {
			return nil, err
		}
		outShape := make(tensor.Shape, 0, rank-1)
		outShape = append(outShape, shape[:a]...)
		outShape = append(outShape, shape[a+1:]...)
		for i, p := range pieces {
			if pieces[i], err = p.Reshape(outShape); err != nil {
				return nil, err
			}
		}
		return pieces, nil
	}, nil
}
