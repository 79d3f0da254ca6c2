package gather

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newGather builds GatherV2 (params, indices, axis; batch_dims attribute)
// or the legacy Gather (params, indices; axis 0).
func newGather(v2 bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkIndexDType(n, "Tindices"); err != nil {
			return nil, err
		}
		batchDims := 0
		nIn := 2
		if v2 {
			bd, err := n.Attrs.Int("batch_dims", 0)
			if err != nil {
				return nil, err
			}
			batchDims = int(bd)
			nIn = 3
			if err := checkIndexDType(n, "Taxis"); err != nil {
				return nil, err
			}
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, nIn); err != nil {
				return nil, err
			}
			axis := 0
			if v2 {
				var err error
				if axis, err = scalarInt(in[2], "axis"); err != nil {
					return nil, err
				}
			}
			out, err := gatherAxis(in[0], in[1], axis, batchDims)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// gatherGeom is the shape of a gather seen as
// params[batch, outer, gdim, inner] and out[batch, outer, nPer, inner].
type gatherGeom struct {
	batch, outer, gdim, inner, nPer int
}

// gatherAxis gathers slices of params along axis, TensorFlow's GatherV2.
func gatherAxis(params, indices *tensor.Tensor, axis, batchDims int) (*tensor.Tensor, error) {
	ps, is := params.Shape(), indices.Shape()
	r := len(ps)
	if r < 1 {
		return nil, kernel.Invalid("params must be at least 1 dimensional")
	}
	if axis < -r || axis >= r {
		return nil, kernel.Invalid("Expected axis in the range [%d, %d), but got %d", -r, r, axis)
	}
	if axis < 0 {
		axis += r
	}
	if batchDims != 0 {
		ir := len(is)
		if batchDims < -ir || batchDims > ir {
			return nil, kernel.Invalid("Expected batch_dims in the range [%d, %d], but got %d", -ir, ir, batchDims)
		}
		if batchDims < 0 {
			batchDims += ir
		}
		if batchDims >= r {
			return nil, kernel.Invalid("batch_dims (%d) must be less than rank(params) (%d).", batchDims, r)
		}
		if axis < batchDims {
			return nil, kernel.Invalid("batch_dims (%d) must be less than or equal to axis (%d).", batchDims, axis)
		}
		for i := 0; i < batchDims; i++ {
			if ps[i] != is[i] {
				return nil, kernel.Invalid("params.shape[%d]: %d should be equal to indices.shape[%d]: %d", i, ps[i], i, is[i])
			}
		}
	}
	idx, err := indexData(indices, "indices")
	if err != nil {
		return nil, err
	}

	// The result shape is params.shape[:axis] + indices.shape[batch_dims:] +
	// params.shape[axis+1:].
	shape := make(tensor.Shape, 0, r-1+len(is)-batchDims)
	shape = append(shape, ps[:axis]...)
	shape = append(shape, is[batchDims:]...)
	shape = append(shape, ps[axis+1:]...)
	g := gatherGeom{
		batch: product(ps[:batchDims]),
		outer: product(ps[batchDims:axis]),
		gdim:  ps[axis],
		inner: product(ps[axis+1:]),
	}
	out, err := tensor.New(params.DType(), shape)
	if err != nil {
		return nil, err
	}
	n := indices.NumElements()
	// TensorFlow checks indices only while copying, so an empty copy
	// accepts any index.
	if n == 0 || g.inner == 0 || g.outer == 0 {
		return out, nil
	}
	g.nPer = n / g.batch
	switch ix := idx.(type) {
	case []int32:
		err = gatherChecked(out, params, ix, indices.Shape(), g)
	case []int64:
		err = gatherChecked(out, params, ix, indices.Shape(), g)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// gatherChecked validates every index against gdim, then copies.
func gatherChecked[I index](out, params *tensor.Tensor, idx []I, ishape tensor.Shape, g gatherGeom) error {
	lim := I(g.gdim)
	if int(lim) != g.gdim { // gdim beyond the index type: every index fits
		lim = -1
	}
	for i, v := range idx {
		if v < 0 || (lim >= 0 && v >= lim) {
			return kernel.Invalid("indices%s = %d is not in [0, %d)", kernel.SliceDebugString(ishape, i), v, g.gdim)
		}
	}
	switch s := kernel.Words(params).(type) {
	case []uint8:
		gatherRows(kernel.Words(out).([]uint8), s, idx, g)
	case []uint16:
		gatherRows(kernel.Words(out).([]uint16), s, idx, g)
	case []uint32:
		gatherRows(kernel.Words(out).([]uint32), s, idx, g)
	case []uint64:
		gatherRows(kernel.Words(out).([]uint64), s, idx, g)
	case [][2]uint64:
		gatherRows(kernel.Words(out).([][2]uint64), s, idx, g)
	case []string:
		gatherRows(kernel.Words(out).([]string), s, idx, g)
	case []any:
		gatherRows(kernel.Words(out).([]any), s, idx, g)
	default:
		return kernel.Unsupported("params dtype %v", params.DType())
	}
	return nil
}

// gatherRows copies out[b, o, i, :] = src[b, o, idx[b, i], :] for every
// output row, spread over goroutines. Indices are already validated.
func gatherRows[T any, I index](dst, src []T, idx []I, g gatherGeom) {
	rows := g.batch * g.outer * g.nPer
	inner := g.inner
	if rows == g.nPer && inner == 1 { // a plain element lookup
		kernel.ParallelFor(rows, 4, func(lo, hi int) {
			d := dst[lo:hi]
			for r, k := range idx[lo:hi] {
				d[r] = src[k]
			}
		})
		return
	}
	kernel.ParallelFor(rows, inner, func(lo, hi int) {
		bo, i := lo/g.nPer, lo%g.nPer // (batch, outer) pair and index within it
		b := bo / g.outer
		for r := lo; r < hi; r++ {
			k := int(idx[b*g.nPer+i])
			s := (bo*g.gdim + k) * inner
			if inner == 1 {
				dst[r] = src[s]
			} else {
				copy(dst[r*inner:(r+1)*inner], src[s:s+inner])
			}
			if i++; i == g.nPer {
				i = 0
				bo++
				b = bo / g.outer
			}
		}
	})
}
