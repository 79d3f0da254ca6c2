package gather

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// The variable-updating scatter ops (ScatterUpdate, ScatterNdAdd, ...)
// take a reference to a variable in TensorFlow and update it in place.
// tfexec has no mutable variables: these kernels return an updated copy
// of their first input, which is what a frozen graph (where the variable
// became a constant) computes.

// newScatterRef builds the legacy Scatter* ops: params[indices[i], ...]
// op= updates[i, ...], where updates is indices.shape + params.shape[1:]
// or a scalar applied to every indexed row.
func newScatterRef(op scatterOp) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkIndexDType(n, "Tindices"); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			params, indices, updates := in[0], in[1], in[2]
			ps, is, us := params.Shape(), indices.Shape(), updates.Shape()
			if len(ps) < 1 {
				return nil, kernel.Invalid("params must be at least 1-D, got shape %v", ps)
			}
			if !validScatterShapes(ps, is, us) {
				return nil, kernel.Invalid("Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got updates.shape %v, indices.shape %v, params.shape %v", us, is, ps)
			}
			if updates.DType() != params.DType() {
				return nil, kernel.Invalid("updates dtype %v does not match params dtype %v", updates.DType(), params.DType())
			}
			out := params.Clone()
			nIdx := indices.NumElements()
			if nIdx == 0 {
				return []*tensor.Tensor{out}, nil
			}
			idx, err := indexData(indices, "indices")
			if err != nil {
				return nil, err
			}
			slice := product(ps[1:])
			var offsets []int
			switch ix := idx.(type) {
			case []int32:
				offsets, err = rowOffsets(ix, ps[0], slice, is)
			case []int64:
				offsets, err = rowOffsets(ix, ps[0], slice, is)
			}
			if err != nil {
				return nil, err
			}
			upd := updates
			if updates.Rank() == 0 {
				// A scalar update applies to every element of each row.
				if upd, err = broadcastScalar(updates, nIdx*slice); err != nil {
					return nil, err
				}
			} else if updates.NumElements()%nIdx != 0 {
				return nil, kernel.Invalid("shape of indices (%v) is not compatible with the shape of updates (%v)", is, us)
			}
			if err := applyAll(out, upd, offsets, slice, op); err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// validScatterShapes is TensorFlow's ValidShapes for the legacy scatters.
func validScatterShapes(ps, is, us tensor.Shape) bool {
	if len(us) == 0 {
		return true
	}
	if len(us) != len(is)+len(ps)-1 {
		return false
	}
	for d := range is {
		if us[d] != is[d] {
			return false
		}
	}
	for d := 1; d < len(ps); d++ {
		if ps[d] != us[d-1+len(is)] {
			return false
		}
	}
	return true
}

// rowOffsets maps each index to the flat offset of its params row, or
// reports the first one outside [0, rows).
func rowOffsets[I index](idx []I, rows, slice int, is tensor.Shape) ([]int, error) {
	offsets := make([]int, len(idx))
	for i, v := range idx {
		if v < 0 || int64(v) >= int64(rows) {
			return nil, kernel.Invalid("indices%s = %d is not in [0, %d)", kernel.SliceDebugString(is, i), v, rows)
		}
		offsets[i] = int(v) * slice
	}
	return offsets, nil
}

// broadcastScalar repeats a scalar tensor n times.
func broadcastScalar(t *tensor.Tensor, n int) (*tensor.Tensor, error) {
	out, err := tensor.New(t.DType(), tensor.Shape{n})
	if err != nil {
		return nil, err
	}
	switch d := kernel.Words(out).(type) {
	case []uint8:
		fill(d, kernel.Words(t).([]uint8)[0])
	case []uint16:
		fill(d, kernel.Words(t).([]uint16)[0])
	case []uint32:
		fill(d, kernel.Words(t).([]uint32)[0])
	case []uint64:
		fill(d, kernel.Words(t).([]uint64)[0])
	case [][2]uint64:
		fill(d, kernel.Words(t).([][2]uint64)[0])
	case []string:
		fill(d, kernel.Words(t).([]string)[0])
	default:
		return nil, kernel.Unsupported("dtype %v", t.DType())
	}
	return out, nil
}

func fill[T any](d []T, v T) {
	for i := range d {
		d[i] = v
	}
}

// applyAll is applyUpdates extended with the multiply and divide of the
// legacy ops.
func applyAll(out, updates *tensor.Tensor, offsets []int, slice int, op scatterOp) error {
	if op != opMul && op != opDiv {
		return applyUpdates(out, updates, offsets, slice, op)
	}
	ok := true
	var err error
	switch d := out.Data().(type) {
	case []float32:
		mulDivFloat(d, updates.Data().([]float32), offsets, slice, op)
	case []float64:
		mulDivFloat(d, updates.Data().([]float64), offsets, slice, op)
	case []complex64:
		mulDivFloat(d, updates.Data().([]complex64), offsets, slice, op)
	case []complex128:
		mulDivFloat(d, updates.Data().([]complex128), offsets, slice, op)
	case []int8:
		err = mulDivInt(d, updates.Data().([]int8), offsets, slice, op)
	case []int16:
		err = mulDivInt(d, updates.Data().([]int16), offsets, slice, op)
	case []int32:
		err = mulDivInt(d, updates.Data().([]int32), offsets, slice, op)
	case []int64:
		err = mulDivInt(d, updates.Data().([]int64), offsets, slice, op)
	case []uint8:
		err = mulDivInt(d, updates.Data().([]uint8), offsets, slice, op)
	case []uint16:
		err = mulDivInt(d, updates.Data().([]uint16), offsets, slice, op)
	case []uint32:
		err = mulDivInt(d, updates.Data().([]uint32), offsets, slice, op)
	case []uint64:
		err = mulDivInt(d, updates.Data().([]uint64), offsets, slice, op)
	case []tensor.F16:
		ok = applyHalf(d, updates.Data().([]tensor.F16), offsets, slice, op, tensor.F16.Float32, tensor.NewF16)
	case []tensor.BF16:
		ok = applyHalf(d, updates.Data().([]tensor.BF16), offsets, slice, op, tensor.BF16.Float32, tensor.NewBF16)
	default:
		ok = false
	}
	if !ok {
		return kernel.Unsupported("scatter %v of dtype %v", op, out.DType())
	}
	return err
}

func mulDivFloat[T float32 | float64 | complex64 | complex128](dst, upd []T, offsets []int, slice int, op scatterOp) {
	if op == opMul {
		apply(dst, upd, offsets, slice, func(a, b T) T { return a * b })
		return
	}
	apply(dst, upd, offsets, slice, func(a, b T) T { return a / b })
}

// mulDivInt multiplies or divides integers; division by zero, which
// crashes TensorFlow, is an error here.
func mulDivInt[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](dst, upd []T, offsets []int, slice int, op scatterOp) error {
	if op == opDiv {
		for loc, off := range offsets {
			for _, u := range upd[loc*slice : (loc+1)*slice] {
				if u == 0 && off >= 0 {
					return kernel.Invalid("integer division by zero")
				}
			}
		}
		apply(dst, upd, offsets, slice, func(a, b T) T { return a / b })
		return nil
	}
	apply(dst, upd, offsets, slice, func(a, b T) T { return a * b })
	return nil
}

// newScatterNdRef builds ScatterNdUpdate, ScatterNdAdd and the like:
// TensorScatter* semantics on a copy of the (variable) input.
func newScatterNdRef(op scatterOp) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkIndexDType(n, "Tindices"); err != nil {
			return nil, err
		}
		policy, err := parseBadIndicesPolicy(n)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			input, indices, updates := in[0], in[1], in[2]
			if err := checkScatterRanks(indices, updates); err != nil {
				return nil, err
			}
			if updates.DType() != input.DType() {
				return nil, kernel.Invalid("updates dtype %v does not match ref dtype %v", updates.DType(), input.DType())
			}
			out := input.Clone()
			if err := scatterNd(out, indices, updates, op, policy); err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}
