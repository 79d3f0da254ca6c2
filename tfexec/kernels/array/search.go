package array

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// searchTypes are the dtypes TensorFlow registers LowerBound and
// UpperBound for on the CPU (TF_CALL_REAL_NUMBER_TYPES).
var searchTypes = kernel.RealTypes()

// newSearchSorted makes LowerBound (upper false) and UpperBound: for each
// row of values, the index in the same row of sorted_inputs of the first
// element not less than (greater than, for UpperBound) each value. Both
// inputs are split into as many rows as sorted_inputs' first dimension.
func newSearchSorted(upper bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", searchTypes); err != nil {
			return nil, err
		}
		resultType, err := outType(n, "out_type")
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			sorted, values := in[0], in[1]
			if sorted.DType() != values.DType() {
				return nil, fmt.Errorf("values have dtype %v, sorted_inputs %v", values.DType(), sorted.DType())
			}
			if sorted.Rank() < 1 || values.Rank() < 1 || sorted.Shape()[0] != values.Shape()[0] {
				return nil, kernel.Invalid("Leading dim_size of both tensors must match: %v vs %v", sorted.Shape(), values.Shape())
			}
			rows := sorted.Shape()[0]
			var idx []int
			var err error
			switch s := sorted.Data().(type) {
			case []float32:
				idx = searchRows(s, tensor.Values[float32](values), rows, upper)
			case []float64:
				idx = searchRows(s, tensor.Values[float64](values), rows, upper)
			case []int8:
				idx = searchRows(s, tensor.Values[int8](values), rows, upper)
			case []int16:
				idx = searchRows(s, tensor.Values[int16](values), rows, upper)
			case []int32:
				idx = searchRows(s, tensor.Values[int32](values), rows, upper)
			case []int64:
				idx = searchRows(s, tensor.Values[int64](values), rows, upper)
			case []uint8:
				idx = searchRows(s, tensor.Values[uint8](values), rows, upper)
			case []uint16:
				idx = searchRows(s, tensor.Values[uint16](values), rows, upper)
			case []uint32:
				idx = searchRows(s, tensor.Values[uint32](values), rows, upper)
			case []uint64:
				idx = searchRows(s, tensor.Values[uint64](values), rows, upper)
			case []tensor.F16, []tensor.BF16:
				var a, b []float32
				if a, err = kernel.Float32s(sorted); err == nil {
					b, err = kernel.Float32s(values)
				}
				idx = searchRows(a, b, rows, upper)
			default:
				return nil, kernel.Unsupported("dtype %v", sorted.DType())
			}
			if err != nil {
				return nil, err
			}
			out, err := kernel.IntsTensor(resultType, idx)
			if err != nil {
				return nil, err
			}
			if out, err = out.Reshape(values.Shape()); err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// searchRows binary-searches each value in its row of sorted.
func searchRows[T cmp.Ordered](sorted, values []T, rows int, upper bool) []int {
	out := make([]int, len(values))
	if rows == 0 {
		return out
	}
	n, m := len(sorted)/rows, len(values)/rows
	kernel.ParallelFor(len(values), 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := sorted[i/m*n : i/m*n+n]
			v := values[i]
			out[i], _ = slices.BinarySearchFunc(row, v, func(e, t T) int {
				// LowerBound: the first e with !(e < v); UpperBound: the
				// first e with v < e.
				if e < t || (upper && !(t < e)) {
					return -1
				}
				return 1
			})
		}
	})
	return out
}

// listDiffTypes are the dtypes TensorFlow registers ListDiff for on the
// CPU (real numbers and strings).
var listDiffTypes = append(kernel.RealTypes(), tensor.String)

// newListDiff makes ListDiff: the elements of x not in y, in x's order
// and with x's repetitions, and their positions in x.
func newListDiff(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", listDiffTypes); err != nil {
		return nil, err
	}
	idxType, err := outType(n, "out_idx")
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		x, y := in[0], in[1]
		if x.Rank() != 1 {
			return nil, kernel.Invalid("x should be a 1D vector, got shape %v", x.Shape())
		}
		if y.Rank() != 1 {
			return nil, kernel.Invalid("y should be a 1D vector, got shape %v", y.Shape())
		}
		if x.DType() != y.DType() {
			return nil, fmt.Errorf("y has dtype %v, x %v", y.DType(), x.DType())
		}
		var keep []int
		switch xs := x.Data().(type) {
		case []float32:
			keep = notIn(xs, tensor.Values[float32](y))
		case []float64:
			keep = notIn(xs, tensor.Values[float64](y))
		case []tensor.F16:
			keep = notIn(xs, tensor.Values[tensor.F16](y))
		case []tensor.BF16:
			keep = notIn(xs, tensor.Values[tensor.BF16](y))
		case []int8:
			keep = notIn(xs, tensor.Values[int8](y))
		case []int16:
			keep = notIn(xs, tensor.Values[int16](y))
		case []int32:
			keep = notIn(xs, tensor.Values[int32](y))
		case []int64:
			keep = notIn(xs, tensor.Values[int64](y))
		case []uint8:
			keep = notIn(xs, tensor.Values[uint8](y))
		case []uint16:
			keep = notIn(xs, tensor.Values[uint16](y))
		case []uint32:
			keep = notIn(xs, tensor.Values[uint32](y))
		case []uint64:
			keep = notIn(xs, tensor.Values[uint64](y))
		case []string:
			keep = notIn(xs, tensor.Values[string](y))
		default:
			return nil, kernel.Unsupported("dtype %v", x.DType())
		}
		out, err := gatherVector(x, keep)
		if err != nil {
			return nil, err
		}
		idx, err := kernel.IntsTensor(idxType, keep)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out, idx}, nil
	}, nil
}

// notIn returns the positions of the elements of x that y lacks. Half
// and bfloat16 compare by bits, as a hash set of them does in TensorFlow
// (so NaN is never in y, and -0 differs from 0 only for them).
func notIn[T comparable](x, y []T) []int {
	in := make(map[T]bool, len(y))
	for _, v := range y {
		in[v] = true
	}
	var keep []int
	for i, v := range x {
		if !in[v] {
			keep = append(keep, i)
		}
	}
	return keep
}

// gatherVector returns the elements of the vector x at idx.
func gatherVector(x *tensor.Tensor, idx []int) (*tensor.Tensor, error) {
	out, err := tensor.New(x.DType(), tensor.Shape{len(idx)})
	if err != nil {
		return nil, err
	}
	src, dst := x.Data(), out.Data()
	switch d := dst.(type) {
	case []string:
		s := src.([]string)
		for i, j := range idx {
			d[i] = s[j]
		}
		return out, nil
	}
	// Bytes shares the tensors' memory: copying into it fills out.
	size := x.DType().Size()
	sb, db := x.Bytes(), out.Bytes()
	for i, j := range idx {
		copy(db[i*size:(i+1)*size], sb[j*size:(j+1)*size])
	}
	return out, nil
}
