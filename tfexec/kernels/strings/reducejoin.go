package strings

import (
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newReduceJoin prepares ReduceJoin as reduce_join_op.cc: the strings
// along the reduced dimensions (each at most once, negative ones counting
// from the end) are joined with the separator, the first listed
// dimension varying fastest (GetReducedIndices reverses the list):
// [["a", "b"], ["c", "d"]] joins to "acbd" over [0, 1] and to "abcd" over
// [1, 0]. No reduction indices leave every string alone.
func newReduceJoin(n *kernel.Node) (kernel.Kernel, error) {
	keepDims, err := n.Attrs.Bool("keep_dims", false)
	if err != nil {
		return nil, n.AttrError("keep_dims", err)
	}
	sep, err := n.Attrs.String("separator", "")
	if err != nil {
		return nil, n.AttrError("separator", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := reduceJoin(in[0], in[1], keepDims, sep)
		if err != nil {
			return nil, nodeError(n, err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func reduceJoin(input, indices *tensor.Tensor, keepDims bool, sep string) (*tensor.Tensor, error) {
	s, err := stringsOf(input, "inputs")
	if err != nil {
		return nil, err
	}
	axes, err := kernel.Ints(indices)
	if err != nil {
		return nil, kernel.Invalid("reduction_indices: %v", err)
	}
	shape := input.Shape()
	rank := len(shape)
	reduced := make([]bool, rank)
	for _, a := range axes {
		if a < -rank || a >= rank {
			return nil, kernel.Invalid("Invalid reduction dimension %d for input with %d dimension(s)", a, rank)
		}
		d := a
		if d < 0 {
			d += rank
		}
		if reduced[d] {
			return nil, kernel.Invalid("Duplicate reduction dimension %d", a)
		}
		reduced[d] = true
	}
	var kept, gone []int
	outShape := tensor.Shape{}
	for d := range rank {
		switch {
		case !reduced[d]:
			kept = append(kept, d)
			outShape = append(outShape, shape[d])
		case keepDims:
			outShape = append(outShape, 1)
		}
	}
	for i := len(axes) - 1; i >= 0; i-- {
		d := axes[i]
		if d < 0 {
			d += rank
		}
		gone = append(gone, d)
	}
	if err := tensor.CheckAlloc(tensor.String, outShape); err != nil {
		return nil, err
	}
	strides := shape.Strides()
	// offset is reduce_join_op.cc's LinearSubIndexToFullIndex.
	offset := func(i int, dims []int) int {
		off := 0
		for k := len(dims) - 1; k >= 0; k-- {
			d := dims[k]
			off += strides[d] * (i % shape[d])
			i /= shape[d]
		}
		return off
	}
	numJoined := 1
	for _, d := range gone {
		numJoined *= shape[d]
	}
	out := make([]string, outShape.NumElements())
	parts := make([]string, numJoined)
	for i := range out {
		base := offset(i, kept)
		for j := range parts {
			parts[j] = s[base+offset(j, gone)]
		}
		out[i] = strings.Join(parts, sep)
	}
	return tensor.FromSlice(outShape, out)
}
