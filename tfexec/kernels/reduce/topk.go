package reduce

import (
	"fmt"
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// topKFactory prepares TopKV2 (inputs input and k; attributes sorted, T,
// and in newer graphs Tk and index_type) or the deprecated TopK (k is an
// attribute).
func topKFactory(v2 bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		sorted, err := n.Attrs.Bool("sorted", true)
		if err != nil {
			return nil, err
		}
		if err := kernel.CheckTypeAttr(n, "T", realDTypes); err != nil {
			return nil, err
		}
		if _, err := indexTypeAttr(n, "Tk", tensor.Int32, tensor.Int16, tensor.Int32, tensor.Int64); err != nil {
			return nil, err
		}
		indexType, err := indexTypeAttr(n, "index_type", tensor.Int32, tensor.Int16, tensor.Int32, tensor.Int64)
		if err != nil {
			return nil, err
		}
		attrK := -1
		if !v2 {
			k, err := n.Attrs.Int("k", -1)
			if err != nil {
				return nil, err
			}
			if k < 0 {
				return nil, n.AttrError("k", fmt.Errorf("must be set and >= 0, got %d", k))
			}
			attrK = int(k)
		}
		inputs := 1
		if v2 {
			inputs = 2
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, inputs); err != nil {
				return nil, err
			}
			k := attrK
			if v2 {
				var err error
				k, err = scalarInt(in[1], "k", "k must be scalar, got shape %v")
				if err != nil {
					return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
				}
			}
			out, err := topK(in[0], k, sorted, indexType)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
			}
			return out, nil
		}, nil
	}
}

// topK returns the k largest entries of each row of x (its last
// dimension) and their positions. Equal values keep their index order.
func topK(x *tensor.Tensor, k int, sorted bool, indexType tensor.DType) ([]*tensor.Tensor, error) {
	if !allowed(realDTypes, x.DType()) {
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	if k < 0 {
		return nil, kernel.Invalid("Need k >= 0, got %d", k)
	}
	shape := x.Shape()
	if len(shape) < 1 {
		return nil, kernel.Invalid("input must be >= 1-D, got shape %v", shape)
	}
	cols := shape[len(shape)-1]
	if cols < k {
		return nil, kernel.Invalid("input must have at least k columns. Had %d, needed %d", cols, k)
	}
	if cols > math.MaxInt32 {
		return nil, kernel.Invalid("Second dimension of flattened input must be <= INT_MAX, got %d", cols)
	}
	rows := 0
	if cols > 0 {
		rows = x.NumElements() / cols
	}
	outShape := shape.Clone()
	outShape[len(outShape)-1] = k
	idx := make([]int32, rows*k)
	if k > 0 && rows > 0 {
		switch v := x.Data().(type) {
		case []float32:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []float64:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []tensor.F16, []tensor.BF16:
			f, err := kernel.Float32s(x)
			if err != nil {
				return nil, err
			}
			topKIndices(f, rows, cols, k, sorted, idx)
		case []int8:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []int16:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []int32:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []int64:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []uint8:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []uint16:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []uint32:
			topKIndices(v, rows, cols, k, sorted, idx)
		case []uint64:
			topKIndices(v, rows, cols, k, sorted, idx)
		}
	}
	values, err := gatherRows(x, outShape, rows, cols, k, idx)
	if err != nil {
		return nil, err
	}
	var indices *tensor.Tensor
	switch indexType {
	case tensor.Int32:
		indices, err = tensor.FromSlice(outShape, idx)
	case tensor.Int16:
		indices, err = tensor.FromSlice(outShape, convertIdx[int16](idx))
	default:
		indices, err = tensor.FromSlice(outShape, convertIdx[int64](idx))
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{values, indices}, nil
}

func convertIdx[T int16 | int64](idx []int32) []T {
	out := make([]T, len(idx))
	for i, v := range idx {
		out[i] = T(v)
	}
	return out
}

// gatherRows picks values[r, j] = x[r, idx[r, j]] from the original
// elements, so half and bfloat16 values come back bit for bit.
func gatherRows(x *tensor.Tensor, shape tensor.Shape, rows, cols, k int, idx []int32) (*tensor.Tensor, error) {
	out, err := tensor.New(x.DType(), shape)
	if err != nil {
		return nil, err
	}
	switch src := kernel.Words(x).(type) {
	case []uint8:
		gatherWords(src, kernel.Words(out).([]uint8), rows, cols, k, idx)
	case []uint16:
		gatherWords(src, kernel.Words(out).([]uint16), rows, cols, k, idx)
	case []uint32:
		gatherWords(src, kernel.Words(out).([]uint32), rows, cols, k, idx)
	case []uint64:
		gatherWords(src, kernel.Words(out).([]uint64), rows, cols, k, idx)
	default:
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	return out, nil
}

func gatherWords[W any](src, dst []W, rows, cols, k int, idx []int32) {
	for r := 0; r < rows; r++ {
		row := src[r*cols : r*cols+cols]
		for j, c := range idx[r*k : r*k+k] {
			dst[r*k+j] = row[c]
		}
	}
}

// topKIndices fills idx (rows×k) with the column positions TensorFlow's
// CPU TopK kernel returns.
func topKIndices[T realNumber](src []T, rows, cols, k int, sorted bool, idx []int32) {
	kernel.ParallelFor(rows, cols*4, func(lo, hi int) {
		var h topN[T]
		for r := lo; r < hi; r++ {
			row := src[r*cols : r*cols+cols]
			out := idx[r*k : r*k+k]
			switch {
			case k == 1:
				// TensorFlow takes the row maximum and then its first
				// position.
				best := 0
				for c, v := range row {
					if v > row[best] {
						best = c
					}
				}
				out[0] = int32(best)
			case k == cols:
				for c := range out {
					out[c] = int32(c)
				}
				slices.SortFunc(out, func(a, b int32) int { return order(row, a, b) })
			default:
				h.reset(row, k)
				c := 0
				for ; c < cols && !h.inHeap; c++ {
					h.push(int32(c))
				}
				// Every later position is larger than all positions in
				// the heap, so it ranks above the bottom element exactly
				// when its value is larger.
				for ; c < cols; c++ {
					if row[c] > row[h.elems[0]] {
						h.replaceBottom(int32(c))
					}
				}
				copy(out, h.elems[:k])
				if sorted {
					slices.SortFunc(out, func(a, b int32) int { return order(row, a, b) })
				}
			}
		}
	})
}

// order sorts positions by descending value, equal values by ascending
// position: TensorFlow's stable_comp.
func order[T realNumber](row []T, a, b int32) int {
	switch va, vb := row[a], row[b]; {
	case vb < va:
		return -1
	case vb > va:
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// topN reproduces TensorFlow's gtl::TopN over column positions with
// libstdc++'s heap algorithms, so that the unsorted output (the heap's
// storage order) is the one TensorFlow returns.
type topN[T realNumber] struct {
	row    []T
	elems  []int32
	limit  int
	inHeap bool
}

func (h *topN[T]) reset(row []T, limit int) {
	h.row, h.limit, h.inHeap = row, limit, false
	if cap(h.elems) < limit+1 {
		h.elems = make([]int32, 0, limit+1)
	}
	h.elems = h.elems[:0]
}

// greater is TopN's comparator: a ranks above b.
func (h *topN[T]) greater(a, b int32) bool {
	va, vb := h.row[a], h.row[b]
	if vb < va {
		return true
	}
	if vb > va {
		return false
	}
	return a < b
}

func (h *topN[T]) push(v int32) {
	if !h.inHeap {
		h.elems = append(h.elems, v)
		if len(h.elems) == h.limit+1 {
			h.makeHeap()
			h.popHeap()
			h.inHeap = true
		}
		return
	}
	if h.greater(v, h.elems[0]) {
		h.replaceBottom(v)
	}
}

// replaceBottom inserts v, which ranks above the bottom element, and drops
// the bottom, as TopN's push does once the heap is full.
func (h *topN[T]) replaceBottom(v int32) {
	h.elems[h.limit] = v
	h.pushHeap(h.limit, 0, v)
	h.popHeap()
}

// pushHeap is libstdc++'s __push_heap over elems.
func (h *topN[T]) pushHeap(hole, top int, v int32) {
	e := h.elems
	parent := (hole - 1) / 2
	for hole > top && h.greater(e[parent], v) {
		e[hole] = e[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	e[hole] = v
}

// adjustHeap is libstdc++'s __adjust_heap over elems[:n].
func (h *topN[T]) adjustHeap(hole, n int, v int32) {
	e := h.elems
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if h.greater(e[child], e[child-1]) {
			child--
		}
		e[hole] = e[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		e[hole] = e[child-1]
		hole = child - 1
	}
	h.pushHeap(hole, top, v)
}

// makeHeap is std::make_heap over all of elems.
func (h *topN[T]) makeHeap() {
	n := len(h.elems)
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		h.adjustHeap(parent, n, h.elems[parent])
		if parent == 0 {
			return
		}
	}
}

// popHeap is std::pop_heap over all of elems: the bottom element moves to
// the last slot.
func (h *topN[T]) popHeap() {
	n := len(h.elems)
	if n < 2 {
		return
	}
	last := n - 1
	v := h.elems[last]
	h.elems[last] = h.elems[0]
	h.adjustHeap(0, last, v)
}
