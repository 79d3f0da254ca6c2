package clusters

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
)

// Slices.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.slice)}, "Slice")
	register(Entry{DTypes: movableTypes, Check: stridedSliceCheck, Translate: arrayOp(arr.stridedSlice)}, "StridedSlice")
}

// slice: begin and size go to ONNX at run time unless static; a size of
// −1 (to the end) becomes an end past any dimension. Valid begins are
// never negative, so ONNX's negative-index rule never applies.
func (a arr) slice() error {
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	if rank == 0 {
		a.SetOutputValue(0, v)
		return nil
	}
	axes := make([]int, rank)
	for i := range axes {
		axes[i] = axisIn(i, rank, v.Perm)
	}
	var starts, ends string
	if a.In(1).Value != nil && a.In(2).Value != nil {
		begin, err := a.staticInts(1)
		if err != nil {
			return err
		}
		size, err := a.staticInts(2)
		if err != nil {
			return err
		}
		if len(begin) != rank || len(size) != rank {
			return a.Fail("begin %v and size %v for rank %d", begin, size, rank)
		}
		end := make([]int, rank)
		for i := range end {
			end[i] = begin[i] + size[i]
			if size[i] == -1 {
				end[i] = sliceToEnd
			}
		}
		if starts, err = a.Int64s(begin...); err != nil {
			return err
		}
		if ends, err = a.Int64s(end...); err != nil {
			return err
		}
	} else {
		if starts, err = a.int64Input(1); err != nil {
			return err
		}
		size, err := a.int64Input(2)
		if err != nil {
			return err
		}
		if ends, err = a.endsOfSizes(starts, size); err != nil {
			return err
		}
	}
	ax, err := a.Int64s(axes...)
	if err != nil {
		return err
	}
	out, err := a.Op("Slice", []string{v.Name, starts, ends, ax}, nil)
	a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
	return err
}

// endsOfSizes computes begin + size, or sliceToEnd where size is −1.
func (a arr) endsOfSizes(begin, size string) (string, error) {
	e := a.emitter()
	toEnd := e.op("Equal", nil, size, e.scalar(-1))
	out := e.op("Where", nil, toEnd, e.scalar(sliceToEnd), e.op("Add", nil, begin, size))
	return out, e.err
}

func stridedSliceCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	if _, err := tfshape.ReadStridedSliceMasks(a); err != nil {
		return untranslatable("%v", err)
	}
	return nil
}

// stridedSlice is one ONNX Slice, then a Squeeze of the shrunk axes and an
// Unsqueeze of the new ones. The Slice gets TensorFlow's begin and end
// where ONNX clamps them the same way whatever the dimension: with a
// positive stride both clamp negative-adjusted indices to [0, dim]; with a
// negative one the end clamps to [−1, dim−1] in both, but a begin below
// −dim is −1 (nothing) for TensorFlow and 0 for ONNX, so that case uses
// the known dimension. Masked bounds become sentinels past either end.
func (a arr) stridedSlice() error {
	m, err := tfshape.ReadStridedSliceMasks(a.Attrs)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	var spec [3][]int
	for k := range spec {
		if spec[k], err = a.staticInts(k + 1); err != nil {
			return err
		}
	}
	dims, final, err := tfshape.DenseStridedSlice(rank, spec[0], spec[1], spec[2], m)
	if err != nil {
		return err
	}
	shape := a.In(0).Shape
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	var starts, ends, axes, steps, shrunk []int
	for i, d := range dims {
		begin, end := d.Begin, d.End
		switch {
		case d.Stride == 0:
			return a.Fail("strides[%d] must be non-zero", i)
		case d.Shrink:
			if d.Stride < 0 {
				return a.Fail("only stride 1 allowed on non-range indexing")
			}
			shrunk = append(shrunk, i)
			end, d.Stride = begin+1, 1
			if begin == -1 {
				end = sliceToEnd
			}
		case d.Stride > 0:
			if d.BeginMasked {
				begin = 0
			}
			if d.EndMasked {
				end = sliceToEnd
			}
			if begin == 0 && end == sliceToEnd && d.Stride == 1 {
				continue // the whole dimension
			}
		default:
			if d.BeginMasked {
				begin = sliceToEnd
			}
			if d.EndMasked {
				end = sliceToStart
			}
			if !d.BeginMasked && begin < 0 && len(shape) == rank && shape[i] >= 0 && begin+shape[i] < 0 {
				begin, end = 0, 0 // TensorFlow's begin is −1: nothing
			}
		}
		starts, ends, steps = append(starts, begin), append(ends, end), append(steps, d.Stride)
		axes = append(axes, axisIn(i, rank, v.Perm))
	}
	if len(axes) > 0 {
		ins := []string{v.Name}
		for _, vals := range [][]int{starts, ends, axes, steps} {
			name, err := a.Int64s(vals...)
			if err != nil {
				return err
			}
			ins = append(ins, name)
		}
		if v.Name, err = a.Op("Slice", ins, nil); err != nil {
			return err
		}
	}
	if v, err = a.squeeze(v, rank, shrunk); err != nil {
		return err
	}
	var newAxes []int
	pos := 0
	for _, f := range final {
		switch f {
		case tfshape.ShrunkAxis:
			continue
		case tfshape.NewAxis:
			newAxes = append(newAxes, pos)
		}
		pos++
	}
	if v, err = a.unsqueeze(v, rank-len(shrunk), newAxes); err != nil {
		return err
	}
	a.SetOutputValue(0, v)
	return nil
}
