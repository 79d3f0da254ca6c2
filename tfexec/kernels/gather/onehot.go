package gather

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func newOneHot(n *kernel.Node) (kernel.Kernel, error) {
	a, err := n.Attrs.Int("axis", -1)
	if err != nil {
		return nil, err
	}
	if a < -1 {
		return nil, fmt.Errorf("attribute %q: expected -1 or a non-negative axis, got %d", "axis", a)
	}
	axis := int(a)
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 4); err != nil {
			return nil, err
		}
		indices, depthT, on, off := in[0], in[1], in[2], in[3]
		if depthT.Rank() != 0 {
			return nil, kernel.Invalid("depth must be a scalar, but got: %v", depthT.Shape())
		}
		if on.Rank() != 0 {
			return nil, kernel.Invalid("on_value must be a scalar, but got: %v", on.Shape())
		}
		if off.Rank() != 0 {
			return nil, kernel.Invalid("off_value must be a scalar, but got: %v", off.Shape())
		}
		if on.DType() != off.DType() {
			return nil, kernel.Invalid("on_value dtype %v does not match off_value dtype %v", on.DType(), off.DType())
		}
		r := indices.Rank()
		if axis != -1 && axis > r {
			return nil, kernel.Invalid("Expected axis to be -1 or between [0, %d].  But received: %d", r, axis)
		}
		depth, err := kernel.Int(depthT)
		if err != nil {
			return nil, fmt.Errorf("depth: %w", err)
		}
		if depth < 0 {
			return nil, kernel.Invalid("depth must be non-negative, got: %d", depth)
		}
		ax := axis
		if ax == -1 {
			ax = r
		}
		is := indices.Shape()
		shape := make(tensor.Shape, 0, r+1)
		shape = append(shape, is[:ax]...)
		shape = append(shape, depth)
		shape = append(shape, is[ax:]...)
		out, err := tensor.New(on.DType(), shape)
		if err != nil {
			return nil, err
		}
		// Viewed as [prefix, depth, suffix]: out[p, d, s] = on if
		// indices[p, s] == d, else off.
		prefix, suffix := product(is[:ax]), product(is[ax:])
		var ix []int64
		switch v := indices.Data().(type) {
		case []int64:
			ix = v
		case []int32:
			ix = widen(v)
		case []uint8:
			ix = widen(v)
		case []int8:
			ix = widen(v)
		default:
			return nil, kernel.Unsupported("indices dtype %v", indices.DType())
		}
		switch o := kernel.Words(out).(type) {
		case []uint8:
			oneHot(o, kernel.Words(on).([]uint8)[0], kernel.Words(off).([]uint8)[0], ix, prefix, depth, suffix)
		case []uint16:
			oneHot(o, kernel.Words(on).([]uint16)[0], kernel.Words(off).([]uint16)[0], ix, prefix, depth, suffix)
		case []uint32:
			oneHot(o, kernel.Words(on).([]uint32)[0], kernel.Words(off).([]uint32)[0], ix, prefix, depth, suffix)
		case []uint64:
			oneHot(o, kernel.Words(on).([]uint64)[0], kernel.Words(off).([]uint64)[0], ix, prefix, depth, suffix)
		case [][2]uint64:
			oneHot(o, kernel.Words(on).([][2]uint64)[0], kernel.Words(off).([][2]uint64)[0], ix, prefix, depth, suffix)
		case []string:
			oneHot(o, kernel.Words(on).([]string)[0], kernel.Words(off).([]string)[0], ix, prefix, depth, suffix)
		default:
			return nil, kernel.Unsupported("dtype %v", on.DType())
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func widen[S int32 | int8 | uint8](v []S) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// oneHot fills out, viewed as [prefix, depth, suffix] and freshly zeroed,
// with off, then writes on where an index selects its depth position.
func oneHot[T comparable](out []T, on, off T, ix []int64, prefix, depth, suffix int) {
	var zero T
	if off != zero { // out comes zeroed
		kernel.ParallelFor(len(out), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = off
			}
		})
	}
	for p := 0; p < prefix; p++ {
		for s, d := range ix[p*suffix : (p+1)*suffix] {
			if d >= 0 && d < int64(depth) {
				out[(p*depth+int(d))*suffix+s] = on
			}
		}
	}
}
