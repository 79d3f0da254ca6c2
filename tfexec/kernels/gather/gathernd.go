package gather

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// maxIndexDepth is the largest indices.shape[-1] TensorFlow's CPU *Nd
// kernels accept.
const maxIndexDepth = 7

func newGatherNd(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkIndexDType(n, "Tindices"); err != nil {
		return nil, err
	}
	policy, err := parseBadIndicesPolicy(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := gatherNd(in[0], in[1], policy)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// gatherNd is TensorFlow's GatherNd: out[i..., :] =
// params[indices[i..., :], ...].
func gatherNd(params, indices *tensor.Tensor, policy badIndicesPolicy) (*tensor.Tensor, error) {
	ps, is := params.Shape(), indices.Shape()
	if len(ps) < 1 {
		return nil, kernel.Invalid("params must be at least a vector")
	}
	if len(is) < 1 {
		return nil, kernel.Invalid("indices must be at least a vector")
	}
	nd := is[len(is)-1]
	if nd > len(ps) {
		return nil, kernel.Invalid("index innermost dimension length must be <= params rank; saw: %d vs. %d", nd, len(ps))
	}
	idx, err := indexData(indices, "indices")
	if err != nil {
		return nil, err
	}
	batchShape := is[:len(is)-1]
	shape := append(append(tensor.Shape{}, batchShape...), ps[nd:]...)
	out, err := tensor.New(params.DType(), shape)
	if err != nil {
		return nil, err
	}
	nOut := product(batchShape)
	if nOut == 0 {
		return out, nil
	}
	if params.NumElements() == 0 {
		return nil, kernel.Invalid("Requested more than 0 entries, but params is empty.  Params shape: %v", ps)
	}
	if nd > maxIndexDepth {
		return nil, kernel.Invalid("Only indices.shape[-1] values between 1 and %d are currently supported.  Requested rank: %d", maxIndexDepth, nd)
	}
	var offsets []int
	switch ix := idx.(type) {
	case []int32:
		offsets, err = ndOffsets(ix, nd, ps, batchShape, policy)
	case []int64:
		offsets, err = ndOffsets(ix, nd, ps, batchShape, policy)
	}
	if err != nil {
		return nil, err
	}
	slice := product(ps[nd:])
	switch s := kernel.Words(params).(type) {
	case []uint8:
		copySlices(kernel.Words(out).([]uint8), s, offsets, slice)
	case []uint16:
		copySlices(kernel.Words(out).([]uint16), s, offsets, slice)
	case []uint32:
		copySlices(kernel.Words(out).([]uint32), s, offsets, slice)
	case []uint64:
		copySlices(kernel.Words(out).([]uint64), s, offsets, slice)
	case [][2]uint64:
		copySlices(kernel.Words(out).([][2]uint64), s, offsets, slice)
	case []string:
		copySlices(kernel.Words(out).([]string), s, offsets, slice)
	case []any:
		copySlices(kernel.Words(out).([]any), s, offsets, slice)
	default:
		return nil, kernel.Unsupported("params dtype %v", params.DType())
	}
	return out, nil
}

// ndOffsets converts each index tuple (the rows of idx, nd wide) into the
// flat element offset of the slice it selects in a tensor of shape ps,
// or -1 for a bad tuple under the IGNORE policy. batchShape names the bad
// tuple in errors.
func ndOffsets[I index](idx []I, nd int, ps, batchShape tensor.Shape, policy badIndicesPolicy) ([]int, error) {
	n := product(batchShape)
	slice := product(ps[nd:])
	offsets := make([]int, n)
	for i := range offsets {
		row := idx[i*nd : (i+1)*nd]
		off, ok := 0, true
		for d, v := range row {
			if v < 0 || int64(v) >= int64(ps[d]) {
				ok = false
				break
			}
			off = off*ps[d] + int(v)
		}
		if !ok {
			if policy == policyIgnore {
				offsets[i] = -1
				continue
			}
			return nil, kernel.Invalid("indices%s = [%s] does not index into param shape %v", kernel.SliceDebugString(batchShape, i), joinInts(row), ps)
		}
		offsets[i] = off * slice
	}
	return offsets, nil
}

// copySlices copies dst[i*slice:(i+1)*slice] from src at offsets[i],
// leaving zeros where the offset is -1.
func copySlices[T any](dst, src []T, offsets []int, slice int) {
	kernel.ParallelFor(len(offsets), slice, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			off := offsets[i]
			if off < 0 {
				continue
			}
			if slice == 1 {
				dst[i] = src[off]
			} else {
				copy(dst[i*slice:(i+1)*slice], src[off:off+slice])
			}
		}
	})
}
