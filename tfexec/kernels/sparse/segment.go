package sparse

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// segOp names a sparse segment reduction.
type segOp int

const (
	segSum segOp = iota
	segMean
	segSqrtN
)

// newSegment prepares SparseSegmentSum, SparseSegmentMean or
// SparseSegmentSqrtN (inputs data, indices, segment_ids; attributes T,
// Tidx, Tsegmentids), or with numSegments their WithNumSegments forms,
// whose fourth input, num_segments, sets the number of output rows.
func newSegment(op segOp, types []tensor.DType, numSegments bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", types); err != nil {
			return nil, err
		}
		want := 3
		if numSegments {
			want = 4
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, want); err != nil {
				return nil, err
			}
			rows := int64(-1)
			if numSegments {
				if in[3].Rank() != 0 {
					return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("num_segments should be a scalar, not shape %v", in[3].Shape()))
				}
				v, err := int64s(in[3], "num_segments")
				if err != nil {
					return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
				}
				rows = v[0]
				if rows < 0 {
					return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("num_segments must be >= 0, got %d", rows))
				}
			}
			out, err := sparseSegment(op, in[0], in[1], in[2], rows)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// sparseSegment follows SparseSegmentReductionOpBase: output row s
// reduces data rows indices[i] for the i whose segment_ids[i] == s;
// segment ids are sorted, the output has segment_ids[last]+1 rows, and
// rows of absent ids are 0. Mean divides a segment's sum by its count,
// SqrtN by the count's square root. numRows ≥ 0 (num_segments) sets the
// number of output rows instead, which must exceed every segment id.
func sparseSegment(op segOp, data, indicesT, idsT *tensor.Tensor, numRows int64) (*tensor.Tensor, error) {
	if indicesT.Rank() != 1 {
		return nil, kernel.Invalid("indices should be a vector.")
	}
	if idsT.Rank() != 1 {
		return nil, kernel.Invalid("segment_ids should be a vector.")
	}
	if data.Rank() < 1 {
		return nil, kernel.Invalid("Shape must be at least rank 1")
	}
	indices, err := int64s(indicesT, "indices")
	if err != nil {
		return nil, err
	}
	ids, err := int64s(idsT, "segment_ids")
	if err != nil {
		return nil, err
	}
	if len(indices) != len(ids) {
		return nil, kernel.Invalid("segment_ids and indices should have same size.")
	}
	rows := int64(data.Shape()[0])
	outRows := int64(0)
	if len(ids) > 0 {
		outRows = ids[len(ids)-1] + 1
	}
	if outRows < 0 {
		return nil, kernel.Invalid("segment ids must be >= 0")
	}
	if numRows >= 0 {
		if numRows < outRows {
			return nil, kernel.Invalid("segment ids must be < num_segments")
		}
		outRows = numRows
	}
	for i, id := range ids {
		if id < 0 {
			return nil, kernel.Invalid("segment ids must be >= 0")
		}
		if i > 0 && id < ids[i-1] {
			return nil, kernel.Invalid("segment ids are not increasing")
		}
		if indices[i] < 0 || indices[i] >= rows {
			return nil, kernel.Invalid("Bad: indices[%d] == %d out of range [0, %d)", i, indices[i], rows)
		}
	}
	shape := data.Shape().Clone()
	shape[0] = int(outRows)
	if int64(shape[0]) != outRows {
		return nil, kernel.Invalid("num_segments %d is too large", outRows)
	}
	out, err := tensor.New(data.DType(), shape)
	if err != nil {
		return nil, err
	}
	cols := 1
	for _, d := range shape[1:] {
		cols *= d
	}
	switch d := data.Data().(type) {
	case []float32:
		reduceSegments(op, out.Data().([]float32), d, indices, ids, cols)
	case []float64:
		reduceSegments(op, out.Data().([]float64), d, indices, ids, cols)
	case []int32:
		reduceSegments(op, out.Data().([]int32), d, indices, ids, cols)
	case []int64:
		reduceSegments(op, out.Data().([]int64), d, indices, ids, cols)
	default:
		return nil, kernel.Unsupported("dtype %v", data.DType())
	}
	return out, nil
}

func reduceSegments[T float32 | float64 | int32 | int64](op segOp, out, data []T, indices, ids []int64, cols int) {
	for start := 0; start < len(ids); {
		end := start + 1
		for end < len(ids) && ids[end] == ids[start] {
			end++
		}
		acc := out[int(ids[start])*cols : (int(ids[start])+1)*cols]
		for i := start; i < end; i++ {
			row := data[int(indices[i])*cols : (int(indices[i])+1)*cols]
			for c := range acc {
				acc[c] += row[c]
			}
		}
		if count := end - start; count > 1 && op != segSum {
			div := T(count)
			if op == segSqrtN {
				div = T(math.Sqrt(float64(count)))
			}
			for c := range acc {
				acc[c] /= div
			}
		}
		start = end
	}
}
