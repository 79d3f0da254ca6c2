package array

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// rangeScalar checks one of Range's operands: a scalar, or (a legacy form
// TensorFlow still accepts) a one-element vector.
func rangeScalar(t *tensor.Tensor, name string) error {
	if t.Rank() == 0 || (t.Rank() == 1 && t.Shape()[0] == 1) {
		return nil
	}
	return kernel.Invalid("%s must be a scalar, not shape %s", name, debugShape(t.Shape()))
}

func rangeKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	for i, name := range []string{"start", "limit", "delta"} {
		if err := rangeScalar(in[i], name); err != nil {
			return nil, err
		}
	}
	if err := checkSameDType(in, in[0].DType()); err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	var err error
	switch in[0].DType() {
	case tensor.Int32:
		out, err = rangeInt[int32](in)
	case tensor.Int64:
		out, err = rangeInt[int64](in)
	case tensor.Float32:
		out, err = rangeFloat[float32](in)
	case tensor.Float64:
		out, err = rangeFloat[float64](in)
	default:
		return nil, kernel.Unsupported("Range of dtype %v", in[0].DType())
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// rangeOperands reads start, limit and delta and applies TensorFlow's
// checks on their order.
func rangeOperands[T int32 | int64 | float32 | float64](in []*tensor.Tensor) (start, limit, delta T, err error) {
	start, limit, delta = tensor.Values[T](in[0])[0], tensor.Values[T](in[1])[0], tensor.Values[T](in[2])[0]
	switch {
	case delta == 0:
		err = kernel.Invalid("Requires delta != 0: %v", delta)
	case delta > 0 && !(start <= limit):
		err = kernel.Invalid("Requires start <= limit when delta > 0: %v/%v", start, limit)
	case !(delta > 0) && !(start >= limit):
		err = kernel.Invalid("Requires start >= limit when delta < 0: %v/%v", start, limit)
	}
	return start, limit, delta, err
}

func rangeInt[T int32 | int64](in []*tensor.Tensor) (*tensor.Tensor, error) {
	start, limit, delta, err := rangeOperands[T](in)
	if err != nil {
		return nil, err
	}
	// (|limit − start| + |delta| − 1) / |delta|, in 64 bits so that int32
	// extremes do not wrap.
	span, step := int64(limit)-int64(start), int64(delta)
	if span < 0 {
		span = -span
	}
	if step < 0 {
		step = -step
	}
	size := int((span + step - 1) / step)
	if err := tensor.CheckAlloc(tensor.DTypeOf[T](), tensor.Shape{size}); err != nil {
		return nil, err
	}
	out := make([]T, size)
	val := start
	for i := range out {
		out[i] = val
		val += delta
	}
	return tensor.FromSlice(tensor.Shape{size}, out)
}

func rangeFloat[T float32 | float64](in []*tensor.Tensor) (*tensor.Tensor, error) {
	start, limit, delta, err := rangeOperands[T](in)
	if err != nil {
		return nil, err
	}
	// The quotient is rounded to T before the ceiling, as in TensorFlow.
	q := (limit - start) / delta
	size := math.Ceil(math.Abs(float64(q)))
	if !(size <= math.MaxInt64) {
		return nil, kernel.Invalid("Requires ((limit - start) / delta) <= %d", int64(math.MaxInt64))
	}
	out, err := newOutput(tensor.DTypeOf[T](), tensor.Shape{int(size)})
	if err != nil {
		return nil, err
	}
	vals := tensor.Values[T](out)
	// TensorFlow accumulates: each value is the previous one plus delta.
	val := start
	for i := range vals {
		vals[i] = val
		val += delta
	}
	return out, nil
}

func linSpaceKernel(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	for i, name := range []string{"start", "stop", "num"} {
		if in[i].Rank() != 0 {
			return nil, kernel.Invalid("%s must be a scalar, not shape %s", name, debugShape(in[i].Shape()))
		}
	}
	if in[1].DType() != in[0].DType() {
		return nil, kernel.Invalid("stop has dtype %v, want %v", in[1].DType(), in[0].DType())
	}
	num, err := indices(in[2])
	if err != nil {
		return nil, err
	}
	if num[0] <= 0 {
		return nil, kernel.Invalid("Requires num > 0: %d", num[0])
	}
	if err := tensor.CheckAlloc(in[0].DType(), tensor.Shape{num[0]}); err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	switch in[0].DType() {
	case tensor.Float32:
		out = linSpace(tensor.Values[float32](in[0])[0], tensor.Values[float32](in[1])[0], num[0])
	case tensor.Float64:
		out = linSpace(tensor.Values[float64](in[0])[0], tensor.Values[float64](in[1])[0], num[0])
	default:
		return nil, kernel.Unsupported("LinSpace of dtype %v", in[0].DType())
	}
	return []*tensor.Tensor{out}, nil
}

// linSpace computes start + step·i in T, with the last value set to stop
// exactly, as TensorFlow does.
func linSpace[T float32 | float64](start, stop T, num int) *tensor.Tensor {
	vals := make([]T, num)
	vals[0] = start
	if num > 1 {
		step := (stop - start) / T(num-1)
		for i := 1; i < num-1; i++ {
			// The conversion keeps the compiler from fusing this into an
			// FMA, which would round differently from TensorFlow.
			vals[i] = start + T(step*T(i))
		}
		vals[num-1] = stop
	}
	return tensor.MustFromSlice(tensor.Shape{num}, vals)
}

// raggedRangeFactory implements RaggedRange: one Range per row, the rows
// given by the elements of starts, limits and deltas (scalars broadcast),
// returned as row splits (Tsplits, int64 by default) and the concatenated
// values.
func raggedRangeFactory(n *kernel.Node) (kernel.Kernel, error) {
	splitsType, err := outType(n, "Tsplits")
	if err != nil {
		return nil, err
	}
	if !n.Attrs.Has("Tsplits") {
		splitsType = tensor.Int64
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		rows := -1
		for i, name := range []string{"starts", "limits", "deltas"} {
			if in[i].Rank() > 1 {
				return nil, kernel.Invalid("%s must be a scalar or vector", name)
			}
			if in[i].Rank() == 1 {
				if rows >= 0 && rows != in[i].NumElements() {
					return nil, kernel.Invalid("starts, limits, and deltas must have the same shape")
				}
				rows = in[i].NumElements()
			}
		}
		rows = max(rows, 1)
		if err := checkSameDType(in, in[0].DType()); err != nil {
			return nil, err
		}
		var splits []int
		var values *tensor.Tensor
		switch in[0].DType() {
		case tensor.Int32:
			splits, values, err = raggedRange[int32](in, rows)
		case tensor.Int64:
			splits, values, err = raggedRange[int64](in, rows)
		case tensor.Float32:
			splits, values, err = raggedRange[float32](in, rows)
		case tensor.Float64:
			splits, values, err = raggedRange[float64](in, rows)
		default:
			return nil, kernel.Unsupported("RaggedRange of dtype %v", in[0].DType())
		}
		if err != nil {
			return nil, err
		}
		st, err := kernel.IntsTensor(splitsType, splits)
		if err != nil {
			return nil, kernel.Invalid("RaggedRange splits: %v", err)
		}
		return []*tensor.Tensor{st, values}, nil
	}, nil
}

func raggedRange[T int32 | int64 | float32 | float64](in []*tensor.Tensor, rows int) ([]int, *tensor.Tensor, error) {
	starts, limits, deltas := tensor.Values[T](in[0]), tensor.Values[T](in[1]), tensor.Values[T](in[2])
	at := func(v []T, i int) T {
		if len(v) == 1 {
			return v[0]
		}
		return v[i]
	}
	splits := make([]int, rows+1)
	for r := 0; r < rows; r++ {
		start, limit, delta := at(starts, r), at(limits, r), at(deltas, r)
		if delta == 0 {
			return nil, nil, kernel.Invalid("Requires delta != 0")
		}
		size := 0
		if !((delta > 0 && limit < start) || (delta < 0 && limit > start)) {
			var z T
			switch any(z).(type) {
			case float32, float64:
				f := math.Ceil(math.Abs(float64((limit - start) / delta)))
				if !(f <= math.MaxInt64) {
					return nil, nil, kernel.Invalid("Requires ((limit - start) / delta) <= %d", int64(math.MaxInt64))
				}
				size = int(f)
			default:
				span, step := int64(limit)-int64(start), int64(delta)
				size = int((max(span, -span) + max(step, -step) - 1) / max(step, -step))
			}
		}
		if size > math.MaxInt-splits[r] {
			size = math.MaxInt - splits[r] // CheckAlloc refuses it below
		}
		splits[r+1] = splits[r] + size
	}
	if err := tensor.CheckAlloc(tensor.DTypeOf[T](), tensor.Shape{splits[rows]}); err != nil {
		return nil, nil, err
	}
	vals := make([]T, splits[rows])
	for r := 0; r < rows; r++ {
		v, delta := at(starts, r), at(deltas, r)
		for i := splits[r]; i < splits[r+1]; i++ {
			vals[i] = v
			v += delta
		}
	}
	out, err := tensor.FromSlice(tensor.Shape{len(vals)}, vals)
	return splits, out, err
}
