package reduce

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// segOp names a segment reduction.
type segOp int

const (
	segSum segOp = iota
	segMean
	segProd
	segMax
	segMin
)

// segmentReduction is the row of a segment reduction over the given dtypes.
func segmentReduction(name string, op segOp, types []tensor.DType, sorted bool) kernel.Def {
	return kernel.Def{Op: name, DTypes: types, New: segmentFactory(op, types, sorted)}
}

// segmentFactory prepares a sorted segment op (inputs data, segment_ids;
// attributes T, Tindices) or an unsorted one (inputs data, segment_ids,
// num_segments; attributes T, Tindices, Tnumsegments).
func segmentFactory(op segOp, types []tensor.DType, sorted bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", types); err != nil {
			return nil, err
		}
		if _, err := indexTypeAttr(n, "Tindices", tensor.Int32, tensor.Int32, tensor.Int64); err != nil {
			return nil, err
		}
		inputs := 2
		if !sorted {
			inputs = 3
			if _, err := indexTypeAttr(n, "Tnumsegments", tensor.Int32, tensor.Int32, tensor.Int64); err != nil {
				return nil, err
			}
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, inputs); err != nil {
				return nil, err
			}
			if !allowed(types, in[0].DType()) {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Unsupported("dtype %v", in[0].DType()))
			}
			var out *tensor.Tensor
			var err error
			if sorted {
				out, err = sortedSegment(op, in[0], in[1])
			} else {
				out, err = unsortedSegment(op, in[0], in[1], in[2])
			}
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// segment is one run of equal sorted segment ids: input rows
// [start, end) reduce into output row out.
type segment struct{ out, start, end int }

// sortedSegment implements SegmentSum/Mean/Prod/Max/Min: output row i
// reduces the input rows whose (sorted) id is i; rows of ids that do not
// occur are 0 (1 for Prod), as TensorFlow's CPU kernel fills gaps.
func sortedSegment(op segOp, data, idsT *tensor.Tensor) (*tensor.Tensor, error) {
	shape := data.Shape()
	if len(shape) < 1 {
		return nil, kernel.Invalid("input must be at least rank 1")
	}
	if idsT.Rank() != 1 {
		return nil, kernel.Invalid("segment_ids should be a vector.")
	}
	ids, err := intsOf(idsT, "segment_ids")
	if err != nil {
		return nil, err
	}
	if len(ids) != shape[0] {
		return nil, kernel.Invalid("segment_ids should be the same size as dimension 0 of input.")
	}
	outRows := 0
	if len(ids) > 0 {
		outRows = ids[len(ids)-1] + 1
	}
	if outRows < 0 {
		return nil, kernel.Invalid("segment ids must be >= 0")
	}
	outShape := shape.Clone()
	outShape[0] = outRows
	if err := kernel.CheckOutput(data.DType(), outShape); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return tensor.New(data.DType(), outShape)
	}
	if outRows == 0 {
		return nil, kernel.Invalid("segment ids must be >= 0")
	}
	var segs []segment
	for start := 0; start < len(ids); {
		end := start + 1
		for end < len(ids) && ids[end] == ids[start] {
			end++
		}
		if end < len(ids) && ids[end] < ids[start] {
			return nil, kernel.Invalid("segment ids are not increasing")
		}
		if ids[start] < 0 || ids[start] >= outRows {
			return nil, kernel.Invalid("Segment id %d out of range [0, %d), possibly because 'segment_ids' input is not sorted.", ids[start], outRows)
		}
		segs = append(segs, segment{ids[start], start, end})
		start = end
	}
	cols := data.NumElements() / shape[0]
	return segmentDispatch(op, data, outShape, func(r segRunner) { r.sorted(segs, cols, outRows) })
}

// unsortedSegment implements UnsortedSegmentSum/Prod/Max/Min: output row
// j reduces the data slices whose id is j; negative ids are dropped, and
// segments with no data hold the initial value (0, 1, or the lowest or
// highest finite value of the type).
func unsortedSegment(op segOp, data, idsT, numT *tensor.Tensor) (*tensor.Tensor, error) {
	if numT.Rank() != 0 {
		return nil, kernel.Invalid("num_segments should be a scalar, not shape %v", numT.Shape())
	}
	shape := data.Shape()
	if !kernel.HasPrefix(shape, idsT.Shape()) {
		return nil, kernel.Invalid("data.shape = %v does not start with segment_ids.shape = %v", shape, idsT.Shape())
	}
	nums, err := kernel.Ints(numT)
	if err != nil {
		return nil, err
	}
	numSegs := nums[0]
	if numSegs < 0 {
		return nil, kernel.Invalid("Input num_segments == %d must not be negative.", numSegs)
	}
	ids, err := intsOf(idsT, "segment_ids")
	if err != nil {
		return nil, err
	}
	outShape := append(tensor.Shape{numSegs}, shape[idsT.Rank():]...)
	cols := tensor.Shape(shape[idsT.Rank():]).NumElements()
	if data.NumElements() > 0 {
		for i, j := range ids {
			if j >= numSegs {
				return nil, kernel.Invalid("segment_ids%s = %d is out of range [0, %d)", kernel.SliceDebugString(idsT.Shape(), i), j, numSegs)
			}
		}
	} else {
		ids = nil
	}
	return segmentDispatch(op, data, outShape, func(r segRunner) { r.unsorted(ids, cols, numSegs) })
}

// segRunner computes one segment reduction into its output buffer.
type segRunner interface {
	sorted(segs []segment, cols, outRows int)
	unsorted(ids []int, cols, numSegs int)
}

// segmentDispatch builds the typed runner for data's dtype, lets do run
// it, and wraps the result.
func segmentDispatch(op segOp, data *tensor.Tensor, outShape tensor.Shape, do func(segRunner)) (*tensor.Tensor, error) {
	if err := kernel.CheckOutput(data.DType(), outShape); err != nil {
		return nil, err
	}
	n := outShape.NumElements()
	switch v := data.Data().(type) {
	case []float32:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[float32](op, floatMean[float32])))
	case []float64:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[float64](op, floatMean[float64])))
	case []int8:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[int8](op, signedMean[int8])))
	case []int16:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[int16](op, signedMean[int16])))
	case []int32:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[int32](op, signedMean[int32])))
	case []int64:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[int64](op, signedMean[int64])))
	case []uint8:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[uint8](op, unsignedMean[uint8])))
	case []uint16:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[uint16](op, unsignedMean[uint16])))
	case []uint32:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[uint32](op, unsignedMean[uint32])))
	case []uint64:
		return finishSeg(outShape, do, newSegRun(v, n, realSegOps[uint64](op, unsignedMean[uint64])))
	case []complex64:
		return finishSeg(outShape, do, newSegRun(v, n, complexSegOps[complex64](op)))
	case []complex128:
		return finishSeg(outShape, do, newSegRun(v, n, complexSegOps[complex128](op)))
	case []tensor.F16, []tensor.BF16:
		src, err := kernel.Float32s(data)
		if err != nil {
			return nil, err
		}
		ops := halfSegOps(op, data.DType())
		r := newSegRun(src, n, ops)
		do(r)
		return kernel.FromFloat32s(data.DType(), outShape, r.dst)
	}
	return nil, kernel.Unsupported("dtype %v", data.DType())
}

func finishSeg[T tensor.Element](shape tensor.Shape, do func(segRunner), r *segRun[T]) (*tensor.Tensor, error) {
	do(r)
	return tensor.FromSlice(shape, r.dst)
}

// segOps is the element-type-specific part of a segment reduction; its
// functions work on whole rows, so the loops make one indirect call per
// row.
type segOps[T any] struct {
	identity T // what a reduction starts from (and sorted ops' multi-row segments)
	empty    T // what sorted ops write for absent ids
	initial  T // what unsorted ops write for segments without data
	combine  func(dst, src []T)
	// mean divides a row of sums by the segment's row count; nil unless Mean.
	mean func(dst []T, count int)
	// round rounds a row to the input's precision after every step; set
	// for half and bfloat16, whose Eigen arithmetic rounds every operation.
	round func(dst []T)
}

func realSegOps[T realNumber](op segOp, mean func([]T, int)) segOps[T] {
	switch op {
	case segProd:
		return segOps[T]{identity: 1, empty: 1, initial: 1, combine: prodAccum[T]}
	case segMax:
		return segOps[T]{identity: lowest[T](), initial: finiteLowest[T](), combine: maxAccum[T]}
	case segMin:
		return segOps[T]{identity: highest[T](), initial: finiteHighest[T](), combine: minAccum[T]}
	case segMean:
		return segOps[T]{combine: sumAccum[T], mean: mean}
	}
	return segOps[T]{combine: sumAccum[T]}
}

func complexSegOps[T complex64 | complex128](op segOp) segOps[T] {
	switch op {
	case segProd:
		return segOps[T]{identity: 1, empty: 1, initial: 1, combine: prodAccum[T]}
	case segMean:
		return segOps[T]{combine: sumAccum[T], mean: func(dst []T, count int) {
			c := T(complex(float64(count), 0))
			for i := range dst {
				dst[i] /= c
			}
		}}
	}
	return segOps[T]{combine: sumAccum[T]}
}

// halfSegOps computes in float32 with the accumulator rounded to dt after
// every step. Max and Min start unsorted segments from dt's lowest or
// highest finite value.
func halfSegOps(op segOp, dt tensor.DType) segOps[float32] {
	round := func(x float32) float32 { return tensor.NewBF16(x).Float32() }
	maxFinite := math.Float32frombits(0x7f7f0000)
	if dt == tensor.Float16 {
		round = func(x float32) float32 { return tensor.NewF16(x).Float32() }
		maxFinite = 65504
	}
	ops := realSegOps[float32](op, nil)
	ops.round = func(dst []float32) {
		for i, x := range dst {
			dst[i] = round(x)
		}
	}
	switch op {
	case segMax:
		ops.initial = -maxFinite
	case segMin:
		ops.initial = maxFinite
	case segMean:
		ops.mean = func(dst []float32, count int) {
			c := round(float32(count))
			for i, x := range dst {
				dst[i] = round(x / c)
			}
		}
	}
	return ops
}

func floatMean[T float32 | float64](dst []T, count int) {
	c := T(count)
	for i := range dst {
		dst[i] /= c
	}
}

// signedMean and unsignedMean divide integer sums (accumulated, and
// wrapped, in T) by the count, truncating.
func signedMean[T int8 | int16 | int32 | int64](dst []T, count int) {
	for i, x := range dst {
		dst[i] = T(int64(x) / int64(count))
	}
}

func unsignedMean[T uint8 | uint16 | uint32 | uint64](dst []T, count int) {
	for i, x := range dst {
		dst[i] = T(uint64(x) / uint64(count))
	}
}

// segRun holds one segment reduction's input and output.
type segRun[T any] struct {
	src, dst []T
	ops      segOps[T]
}

func newSegRun[T any](src []T, n int, ops segOps[T]) *segRun[T] {
	return &segRun[T]{src: src, dst: make([]T, n), ops: ops}
}

func (r *segRun[T]) sorted(segs []segment, cols, outRows int) {
	o := r.ops
	written := make([]bool, outRows)
	for _, s := range segs {
		written[s.out] = true
	}
	for row, w := range written {
		if !w {
			fill(r.dst[row*cols:row*cols+cols], o.empty)
		}
	}
	kernel.ParallelFor(len(segs), (len(r.src)/max(len(segs), 1))+1, func(lo, hi int) {
		for _, s := range segs[lo:hi] {
			out := r.dst[s.out*cols : s.out*cols+cols]
			if s.end-s.start == 1 {
				copy(out, r.src[s.start*cols:s.start*cols+cols])
				continue
			}
			fill(out, o.identity)
			for i := s.start; i < s.end; i++ {
				o.combine(out, r.src[i*cols:i*cols+cols])
				if o.round != nil {
					o.round(out)
				}
			}
			if o.mean != nil {
				o.mean(out, s.end-s.start)
			}
		}
	})
}

// unsortedBlock is the number of columns one parallel work unit of an
// unsorted segment reduction covers; units own disjoint columns, so rows
// with equal ids never race.
const unsortedBlock = 256

func (r *segRun[T]) unsorted(ids []int, cols, numSegs int) {
	o := r.ops
	fill(r.dst, o.initial)
	if cols == 0 {
		return
	}
	blocks := (cols + unsortedBlock - 1) / unsortedBlock
	kernel.ParallelFor(blocks, len(ids)*min(cols, unsortedBlock), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			c0, c1 := b*unsortedBlock, min((b+1)*unsortedBlock, cols)
			for i, j := range ids {
				if j < 0 {
					continue
				}
				out := r.dst[j*cols+c0 : j*cols+c1]
				o.combine(out, r.src[i*cols+c0:i*cols+c1])
				if o.round != nil {
					o.round(out)
				}
			}
		}
	})
}
