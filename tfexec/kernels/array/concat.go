package array

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// concatV2Kernel takes the values first and the axis (int32 or int64) last.
func concatV2Kernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("expected at least 2 inputs, got %d", len(in))
	}
	axis, err := concatAxis(in[len(in)-1], "axis", false)
	if err != nil {
		return nil, err
	}
	return concat(in[:len(in)-1], axis)
}

// concatV1Kernel takes the int32 concat_dim first.
func concatV1Kernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("expected at least 2 inputs, got %d", len(in))
	}
	axis, err := concatAxis(in[0], "concat_dim", true)
	if err != nil {
		return nil, err
	}
	return concat(in[1:], axis)
}

func concatAxis(t *tensor.Tensor, name string, int32Only bool) (int, error) {
	if t.Rank() != 0 {
		return 0, kernel.Invalid("%s tensor should be a scalar integer, but got shape %s", name, debugShape(t.Shape()))
	}
	if t.DType() != tensor.Int32 && (int32Only || t.DType() != tensor.Int64) {
		return 0, kernel.Invalid("%s tensor should be int32 or int64, but got %v", name, t.DType())
	}
	return kernel.Int(t)
}

// concat joins values along axis (possibly negative), with TensorFlow's
// ConcatOp checks. Inputs without elements contribute nothing.
func concat(values []*tensor.Tensor, axis int) ([]*tensor.Tensor, error) {
	first := values[0]
	rank := first.Rank()
	a := axis
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return nil, kernel.Invalid("ConcatOp : Expected concatenating dimensions in the range [%d, %d), but got %d", -rank, rank, axis)
	}
	if err := checkSameDType(values, first.DType()); err != nil {
		return nil, err
	}
	shape0 := first.Shape()
	outShape := shape0.Clone()
	outShape[a] = 0
	for i, v := range values {
		s := v.Shape()
		if len(s) != rank {
			return nil, kernel.Invalid("ConcatOp : Ranks of all input tensors should match: shape[0] = %s vs. shape[%d] = %s",
				debugShape(shape0), i, debugShape(s))
		}
		for j := range s {
			if j != a && s[j] != shape0[j] {
				return nil, kernel.Invalid("ConcatOp : Dimension %d in both shapes must be equal: shape[0] = %s vs. shape[%d] = %s",
					j, debugShape(shape0), i, debugShape(s))
			}
		}
		outShape[a] += s[a]
	}
	if len(values) == 1 {
		return []*tensor.Tensor{first}, nil
	}
	out, err := newOutput(first.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return []*tensor.Tensor{out}, nil
	}
	rows := outShape[:a].NumElements()
	srcs := make([]*tensor.Tensor, 0, len(values))
	widths := make([]int, 0, len(values))
	for _, v := range values {
		if v.NumElements() > 0 {
			srcs = append(srcs, v)
			widths = append(widths, v.NumElements()/rows)
		}
	}
	concatInto(out, srcs, widths, rows)
	return []*tensor.Tensor{out}, nil
}

func packFactory(n *kernel.Node) (kernel.Kernel, error) {
	axis, err := intAttr(n, "axis", 0)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("expected at least 1 input, got 0")
		}
		out, err := pack(in, axis)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// pack stacks same-shaped values along a new axis.
func pack(values []*tensor.Tensor, axis int) (*tensor.Tensor, error) {
	first := values[0]
	shape0 := first.Shape()
	for i, v := range values[1:] {
		if !v.Shape().Equal(shape0) {
			return nil, kernel.Invalid("Shapes of all inputs must match: values[0].shape = %s != values[%d].shape = %s",
				debugShape(shape0), i+1, debugShape(v.Shape()))
		}
	}
	if err := checkSameDType(values, first.DType()); err != nil {
		return nil, err
	}
	dims := len(shape0) + 1
	a := axis
	if a < 0 {
		a += dims
	}
	if a < 0 || a >= dims {
		return nil, kernel.Invalid("axis = %d not in [%d, %d)", axis, -dims, dims)
	}
	outShape := make(tensor.Shape, 0, dims)
	outShape = append(outShape, shape0[:a]...)
	outShape = append(outShape, len(values))
	outShape = append(outShape, shape0[a:]...)
	if len(values) == 1 {
		return first.Reshape(outShape)
	}
	out, err := newOutput(first.DType(), outShape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return out, nil
	}
	rows := shape0[:a].NumElements()
	widths := make([]int, len(values))
	for i := range widths {
		widths[i] = shape0[a:].NumElements()
	}
	concatInto(out, values, widths, rows)
	return out, nil
}

// parallelConcatFactory implements ParallelConcat, which TensorFlow
// rewrites into _ParallelConcatStart/_ParallelConcatUpdate: each input,
// of shape [1, ...], becomes row i (modulo the row count) of an output of
// the "shape" attribute.
func parallelConcatFactory(n *kernel.Node) (kernel.Kernel, error) {
	dims, known, err := n.Attrs.Shape("shape")
	if err != nil {
		return nil, err
	}
	for _, d := range dims {
		if d < 0 {
			known = false
		}
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("expected at least 1 input, got 0")
		}
		if err := checkSameDType(in, in[0].DType()); err != nil {
			return nil, err
		}
		var shape tensor.Shape
		if known {
			shape = make(tensor.Shape, len(dims))
			for i, d := range dims {
				shape[i] = int(d)
			}
		} else {
			shape = in[0].Shape().Clone()
			if len(shape) == 0 {
				return nil, kernel.Invalid("ParallelConcat inputs must have rank >= 1")
			}
			shape[0] = len(in)
		}
		if len(shape) == 0 {
			return nil, kernel.Invalid("ParallelConcat output shape must have rank >= 1")
		}
		for _, v := range in {
			s := v.Shape()
			ok := len(s) == len(shape)
			for j := 1; ok && j < len(s); j++ {
				ok = s[j] == shape[j]
			}
			if !ok {
				return nil, kernel.Invalid("input %s must match output %s beyond the first dimension", debugShape(s), debugShape(shape))
			}
			if s[0] != 1 {
				return nil, kernel.Invalid("input %s must have size 1 in the first dimension", debugShape(s))
			}
		}
		out, err := newOutput(in[0].DType(), shape)
		if err != nil {
			return nil, err
		}
		rows, row := shape[0], shape[1:].NumElements()
		if rows == 0 || row == 0 {
			return []*tensor.Tensor{out}, nil
		}
		for i, v := range in {
			r := (i%rows + rows) % rows
			move(out, v, region{shape: []int{row}, dOff: r * row, dStr: []int{1}, sStr: []int{1}})
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}
