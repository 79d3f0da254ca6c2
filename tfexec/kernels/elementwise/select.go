package elementwise

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// selectPlan says how the condition and the two branches map onto the
// output: elementwise (indices nil), by rows (rowLen > 0: condition
// element i picks row i of length rowLen) or through broadcast indices.
type selectPlan struct {
	n          int
	rowLen     int
	ci, ti, ei []int
}

// selectV1 is the legacy Select: the condition has the branches' shape,
// is a scalar (choosing a whole branch), or is a vector choosing rows of
// branches of rank > 1.
func selectV1(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	cond, then, els := in[0], in[1], in[2]
	if err := checkSelectTypes(cond, then, els); err != nil {
		return nil, err
	}
	cs, ts, es := cond.Shape(), then.Shape(), els.Shape()
	switch {
	case len(cs) == 0:
		if !ts.Equal(es) {
			return nil, kernel.Invalid("'then' and 'else' must have the same size.  but received: %v vs. %v", ts, es)
		}
		if tensor.Values[bool](cond)[0] {
			return []*tensor.Tensor{then}, nil
		}
		return []*tensor.Tensor{els}, nil
	case len(cs) == 1 && len(ts) != 1:
		if len(ts) == 0 {
			return nil, kernel.Invalid("'then' must be at least a vector, but saw shape: %v", ts)
		}
		if ts[0] != cs[0] {
			return nil, kernel.Invalid("Number of batches of 'then' must match size of 'cond', but saw: %d vs. %d", ts[0], cs[0])
		}
		if !ts.Equal(es) {
			return nil, kernel.Invalid("'then' and 'else' must have the same size.  but received: %v vs. %v", ts, es)
		}
		n := ts.NumElements()
		p := selectPlan{n: n}
		if cs[0] > 0 {
			p.rowLen = n / cs[0]
		}
		return runSelect(p, cond, then, els, ts)
	default:
		if !cs.Equal(ts) || !cs.Equal(es) {
			other, i := ts, 1
			if cs.Equal(ts) {
				other, i = es, 2
			}
			return nil, kernel.Invalid("Inputs to operation Select of type Select must have the same size and shape.  Input 0: %v != input %d: %v", cs, i, other)
		}
		return runSelect(selectPlan{n: ts.NumElements()}, cond, then, els, ts)
	}
}

// selectV2 broadcasts the condition and both branches together.
func selectV2(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 3); err != nil {
		return nil, err
	}
	cond, then, els := in[0], in[1], in[2]
	if err := checkSelectTypes(cond, then, els); err != nil {
		return nil, err
	}
	out, err := tensor.BroadcastShapes(cond.Shape(), then.Shape(), els.Shape())
	if err != nil {
		return nil, kernel.Invalid("condition %v, then %v, and else %v must be broadcastable", cond.Shape(), then.Shape(), els.Shape())
	}
	// The output and, for broadcast operands, an index of one int per
	// output element.
	if err := tensor.CheckAlloc(then.DType(), out); err != nil {
		return nil, err
	}
	if err := tensor.CheckAlloc(tensor.Int64, out); err != nil {
		return nil, err
	}
	p := selectPlan{
		n:  out.NumElements(),
		ci: broadcastIndex(cond.Shape(), out),
		ti: broadcastIndex(then.Shape(), out),
		ei: broadcastIndex(els.Shape(), out),
	}
	return runSelect(p, cond, then, els, out)
}

func checkSelectTypes(cond, then, els *tensor.Tensor) error {
	if cond.DType() != tensor.Bool {
		return kernel.Invalid("condition must be bool, got %v", cond.DType())
	}
	if then.DType() != els.DType() {
		return kernel.Invalid("'then' and 'else' dtypes differ: %v vs. %v", then.DType(), els.DType())
	}
	if then.DType().IsQuantized() {
		// TensorFlow registers Select for TF_CALL_ALL_TYPES, which has no
		// quantized type; the branches' int8 storage must not pass for int8.
		return kernel.Unsupported("dtype %v", then.DType())
	}
	return nil
}

// runSelect dispatches on the branches' element type.
func runSelect(p selectPlan, cond, then, els *tensor.Tensor, out tensor.Shape) ([]*tensor.Tensor, error) {
	c := tensor.Values[bool](cond)
	var (
		res *tensor.Tensor
		err error
	)
	switch t := then.Data().(type) {
	case []float32:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]float32)))
	case []float64:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]float64)))
	case []tensor.F16:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]tensor.F16)))
	case []tensor.BF16:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]tensor.BF16)))
	case []int8:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]int8)))
	case []int16:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]int16)))
	case []int32:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]int32)))
	case []int64:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]int64)))
	case []uint8:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]uint8)))
	case []uint16:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]uint16)))
	case []uint32:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]uint32)))
	case []uint64:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]uint64)))
	case []bool:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]bool)))
	case []string:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]string)))
	case []complex64:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]complex64)))
	case []complex128:
		res, err = tensor.FromSlice(out, selectTyped(p, c, t, els.Data().([]complex128)))
	default:
		return nil, kernel.Unsupported("Select on dtype %v", then.DType())
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{res}, nil
}

func selectTyped[T any](p selectPlan, c []bool, t, e []T) []T {
	dst := make([]T, p.n)
	switch {
	case p.rowLen > 0:
		m := p.rowLen
		kernel.ParallelFor(len(c), m, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				src := e
				if c[r] {
					src = t
				}
				copy(dst[r*m:(r+1)*m], src[r*m:(r+1)*m])
			}
		})
	case p.ci == nil && p.ti == nil && p.ei == nil:
		kernel.ParallelFor(p.n, costCheap, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if c[i] {
					dst[i] = t[i]
				} else {
					dst[i] = e[i]
				}
			}
		})
	default:
		at := func(idx []int, i int) int {
			if idx == nil {
				return i
			}
			return idx[i]
		}
		kernel.ParallelFor(p.n, costCheap*2, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if c[at(p.ci, i)] {
					dst[i] = t[at(p.ti, i)]
				} else {
					dst[i] = e[at(p.ei, i)]
				}
			}
		})
	}
	return dst
}
