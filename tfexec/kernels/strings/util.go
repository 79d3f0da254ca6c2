package strings

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// nodeError names the node and op in a kernel's error.
func nodeError(n *kernel.Node, err error) error {
	return fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
}

// stringsOf returns a string tensor's elements; what names the input in
// the error for any other dtype.
func stringsOf(t *tensor.Tensor, what string) ([]string, error) {
	s, ok := t.Data().([]string)
	if !ok {
		return nil, kernel.Invalid("%s must be a string tensor, not %v", what, t.DType())
	}
	return s, nil
}

// scalarString returns the value of a scalar string tensor.
func scalarString(t *tensor.Tensor, what string) (string, error) {
	s, err := stringsOf(t, what)
	if err != nil {
		return "", err
	}
	if t.Rank() != 0 {
		return "", kernel.Invalid("%s must be a scalar, got shape: %v", what, t.Shape())
	}
	return s[0], nil
}

// stringMap prepares a kernel that maps each string of its one input to
// an element of the same shape.
func stringMap[E tensor.Element](n *kernel.Node, f func(string) E) kernel.Kernel {
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		s, err := stringsOf(in[0], "input")
		if err != nil {
			return nil, nodeError(n, err)
		}
		out := make([]E, len(s))
		for i, x := range s {
			out[i] = f(x)
		}
		t, err := tensor.FromSlice(in[0].Shape().Clone(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}
}

// sparseOutputs builds the (indices, values, shape) triple of a batch of
// token lists, as StringSplit and StringSplitV2 return it: indices
// [n, 2] of (row, position), shape [rows, longest row].
func sparseOutputs(rows [][]string) ([]*tensor.Tensor, error) {
	total, longest := 0, 0
	for _, r := range rows {
		total += len(r)
		longest = max(longest, len(r))
	}
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{total, 2}); err != nil {
		return nil, err
	}
	indices := make([]int64, 0, 2*total)
	values := make([]string, 0, total)
	for i, r := range rows {
		for j, v := range r {
			indices = append(indices, int64(i), int64(j))
			values = append(values, v)
		}
	}
	return []*tensor.Tensor{
		tensor.MustFromSlice(tensor.Shape{total, 2}, indices),
		tensor.MustFromSlice(tensor.Shape{total}, values),
		tensor.MustFromSlice(tensor.Shape{2}, []int64{int64(len(rows)), int64(longest)}),
	}, nil
}
