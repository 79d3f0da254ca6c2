package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// Fills, tiles, broadcasts and reversals.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.tile)}, "Tile")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.fill)}, "Fill")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.broadcastTo)}, "BroadcastTo")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.constantLike(0) })}, "ZerosLike")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.constantLike(1) })}, "OnesLike")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.reverse)}, "ReverseV2")
}

// The dtypes of ONNX Runtime's CPU Tile and Expand kernels.
var (
	tileKernel = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
		tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64, tensor.Bool}
	expandKernel = append(slices.Clone(tileKernel), tensor.Float16)
)

// tile: the multiples go to ONNX at run time unless static, reordered for
// a permuted value.
func (a arr) tile() error {
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
	var reps string
	if a.In(1).Value != nil {
		m, err := a.staticInts(1)
		if err != nil {
			return err
		}
		if len(m) != rank {
			return a.Fail("%d multiples for rank %d", len(m), rank)
		}
		r := make([]int, rank)
		for j, t := range orIdentity(v.Perm, rank) {
			r[j] = m[t]
		}
		if reps, err = a.Int64s(r...); err != nil {
			return err
		}
	} else {
		if reps, err = a.int64Input(1); err != nil {
			return err
		}
		if v.Perm != nil {
			idx, err := a.Int64s(v.Perm...)
			if err != nil {
				return err
			}
			if reps, err = a.Op("Gather", []string{reps, idx}, map[string]any{"axis": 0}); err != nil {
				return err
			}
		}
	}
	out, err := a.kernelIn(tileKernel, a.In(0).DType, "Tile", v.Name, reps)
	a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
	return err
}

// fill expands the scalar value to the runtime dims.
func (a arr) fill() error {
	dims, err := a.int64Input(0)
	if err != nil {
		return err
	}
	value, err := a.Input(1)
	if err != nil {
		return err
	}
	out, err := a.kernelIn(expandKernel, a.In(1).DType, "Expand", value, dims)
	a.SetOutput(0, out)
	return err
}

// broadcastTo is Expand. ONNX broadcasts both ways where TensorFlow
// requires the input to fit the shape; they differ only on inputs
// TensorFlow rejects. A static shape of the input's rank keeps a permuted
// input's layout.
func (a arr) broadcastTo() error {
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	if v.Perm != nil && a.In(1).Value != nil {
		shape, err := a.staticInts(1)
		if err != nil {
			return err
		}
		if len(shape) == len(v.Perm) {
			s := make([]int, len(shape))
			for j, t := range v.Perm {
				s[j] = shape[t]
			}
			name, err := a.Int64s(s...)
			if err != nil {
				return err
			}
			out, err := a.kernelIn(expandKernel, a.In(0).DType, "Expand", v.Name, name)
			a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
			return err
		}
	}
	x, err := a.Input(0)
	if err != nil {
		return err
	}
	shape, err := a.int64Input(1)
	if err != nil {
		return err
	}
	out, err := a.kernelIn(expandKernel, a.In(0).DType, "Expand", x, shape)
	a.SetOutput(0, out)
	return err
}

// constantLike fills the input's shape, in its layout, with v.
func (a arr) constantLike(v float64) error {
	x, err := a.Raw(0)
	if err != nil {
		return err
	}
	value, err := tensor.FromFloat64s(a.Out(0).DType, tensor.Shape{1}, []float64{v})
	if err != nil {
		return a.Fail("%v", err)
	}
	s, err := a.Op("Shape", []string{x.Name}, nil)
	if err != nil {
		return err
	}
	out, err := a.Op("ConstantOfShape", []string{s}, map[string]any{"value": value})
	a.SetOutputValue(0, Value{Name: out, Perm: x.Perm})
	return err
}

// reverse slices every reversed axis backwards; TensorFlow returns scalars
// and empty tensors as they are.
func (a arr) reverse() error {
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	axes, err := a.staticInts(1)
	if err != nil {
		return err
	}
	if rank == 0 || len(axes) == 0 || slices.Contains(a.In(0).Shape, 0) {
		a.SetOutputValue(0, v)
		return nil
	}
	var starts, ends, onnx, steps []int
	for _, ax := range axes {
		d, err := a.normAxis(ax, rank)
		if err != nil {
			return err
		}
		j := axisIn(d, rank, v.Perm)
		if slices.Contains(onnx, j) {
			return a.Fail("axis %d specified more than once", d)
		}
		starts, ends, onnx, steps = append(starts, -1), append(ends, sliceToStart), append(onnx, j), append(steps, -1)
	}
	ins := []string{v.Name}
	for _, vals := range [][]int{starts, ends, onnx, steps} {
		name, err := a.Int64s(vals...)
		if err != nil {
			return err
		}
		ins = append(ins, name)
	}
	out, err := a.Op("Slice", ins, nil)
	a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
	return err
}
