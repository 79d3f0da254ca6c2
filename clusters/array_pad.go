package clusters

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Padding.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.pad(false) })}, "Pad")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.pad(true) })}, "PadV2")
	register(Entry{DTypes: movableTypes, Check: mirrorPadCheck, Translate: arrayOp(arr.mirrorPad)}, "MirrorPad")
}

// padKernel are the dtypes of ONNX Runtime's CPU Pad kernel.
var padKernel = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Int32, tensor.Int64,
	tensor.Uint8, tensor.Uint32, tensor.Uint64, tensor.Bool}

// pad emits ONNX Pad in constant mode; its pads list all begins, then all
// ends, in storage order. PadV2's constant value goes along at run time.
func (a arr) pad(withValue bool) error {
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
	var pads string
	if a.In(1).Value != nil {
		if pads, err = a.staticPads(v.Perm, rank); err != nil {
			return err
		}
	} else {
		if pads, err = a.int64Input(1); err != nil {
			return err
		}
		if v.Perm != nil {
			rows, err := a.Int64s(v.Perm...)
			if err != nil {
				return err
			}
			if pads, err = a.Op("Gather", []string{pads, rows}, map[string]any{"axis": 0}); err != nil {
				return err
			}
		}
		if pads, err = a.Op("Transpose", []string{pads}, map[string]any{"perm": []int{1, 0}}); err != nil {
			return err
		}
		flat, err := a.Int64s(-1)
		if err != nil {
			return err
		}
		if pads, err = a.Op("Reshape", []string{pads, flat}, nil); err != nil {
			return err
		}
	}
	dt := a.In(0).DType
	ct, err := a.computeType(dt, padKernel)
	if err != nil {
		return err
	}
	x, err := a.castIf(v.Name, dt, ct)
	if err != nil {
		return err
	}
	ins := []string{x, pads}
	if withValue {
		value, err := a.Input(2)
		if err != nil {
			return err
		}
		if value, err = a.castIf(value, dt, ct); err != nil {
			return err
		}
		ins = append(ins, value)
	}
	out, err := a.Op("Pad", ins, map[string]any{"mode": "constant"})
	if err != nil {
		return err
	}
	if out, err = a.castIf(out, ct, dt); err != nil {
		return err
	}
	a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
	return nil
}

// staticPaddings returns the static [rank, 2] paddings input 1 as
// (before, after) per TensorFlow axis.
func (a arr) staticPaddings(rank int) (before, after []int, err error) {
	p, err := a.staticInts(1)
	if err != nil {
		return nil, nil, err
	}
	if len(p) != 2*rank {
		return nil, nil, a.Fail("paddings have %d values for rank %d", len(p), rank)
	}
	before, after = make([]int, rank), make([]int, rank)
	for d := range before {
		before[d], after[d] = p[2*d], p[2*d+1]
	}
	return before, after, nil
}

// staticPads returns ONNX Pad's pads of the static paddings input 1 for a
// value stored as perm.
func (a arr) staticPads(perm []int, rank int) (string, error) {
	before, after, err := a.staticPaddings(rank)
	if err != nil {
		return "", err
	}
	pads := make([]int, 2*rank)
	for j, t := range orIdentity(perm, rank) {
		pads[j], pads[rank+j] = before[t], after[t]
	}
	return a.Int64s(pads...)
}

func mirrorPadCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	mode, err := a.String("mode", "")
	if err != nil {
		return err
	}
	if mode != "REFLECT" && mode != "SYMMETRIC" {
		return untranslatable("mode %q", mode)
	}
	return nil
}

// mirrorPad: REFLECT is ONNX Pad's reflect mode (both leave the edge out
// of the mirror); SYMMETRIC, which repeats the edge, concatenates each
// padded axis with reversed slices of its first and last elements.
func (a arr) mirrorPad() error {
	mode, err := a.Attrs.String("mode", "")
	if err != nil {
		return err
	}
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
	if mode == "REFLECT" {
		pads, err := a.staticPads(v.Perm, rank)
		if err != nil {
			return err
		}
		dt := a.In(0).DType
		ct, err := a.computeType(dt, padKernel)
		if err != nil {
			return err
		}
		x, err := a.castIf(v.Name, dt, ct)
		if err != nil {
			return err
		}
		out, err := a.Op("Pad", []string{x, pads}, map[string]any{"mode": "reflect"})
		if err != nil {
			return err
		}
		if out, err = a.castIf(out, ct, dt); err != nil {
			return err
		}
		a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
		return nil
	}
	before, after, err := a.staticPaddings(rank)
	if err != nil {
		return err
	}
	x := v.Name
	for d := 0; d < rank; d++ {
		if before[d] == 0 && after[d] == 0 {
			continue
		}
		j := axisIn(d, rank, v.Perm)
		var parts []string
		if b := before[d]; b > 0 { // elements b−1 … 0
			head, err := a.reversedSlice(x, j, b-1, sliceToStart)
			if err != nil {
				return err
			}
			parts = append(parts, head)
		}
		parts = append(parts, x)
		if e := after[d]; e > 0 { // elements dim−1 … dim−e
			tail, err := a.reversedSlice(x, j, -1, -e-1)
			if err != nil {
				return err
			}
			parts = append(parts, tail)
		}
		if x, err = a.Op("Concat", parts, map[string]any{"axis": j}); err != nil {
			return err
		}
	}
	a.SetOutputValue(0, Value{Name: x, Perm: v.Perm})
	return nil
}

// reversedSlice slices x along axis j from start down to end (exclusive).
func (a arr) reversedSlice(x string, j, start, end int) (string, error) {
	ins := []string{x}
	for _, val := range []int{start, end, j, -1} {
		name, err := a.Int64s(val)
		if err != nil {
			return "", err
		}
		ins = append(ins, name)
	}
	return a.Op("Slice", ins, nil)
}
