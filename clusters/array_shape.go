package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Reshapes and shape queries.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.reshape)}, "Reshape")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.squeezeOp)}, "Squeeze")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.expandDims)}, "ExpandDims")
	register(Entry{DTypes: movableTypes, Check: outTypeCheck, Translate: arrayOp(arr.shapeOp)}, "Shape", "ShapeN")
	register(Entry{DTypes: movableTypes, Check: outTypeCheck, Translate: arrayOp(arr.size)}, "Size")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.rank)}, "Rank")
}

// reshape: the shape goes to ONNX as is (allowzero=1: 0 is a zero-sized
// dimension, as in TensorFlow), at run time unless static.
func (a arr) reshape() error {
	x, err := a.Input(0)
	if err != nil {
		return err
	}
	var shape string
	if a.In(1).Value != nil {
		dims, err := a.staticInts(1)
		if err != nil {
			return err
		}
		if slices.Contains(dims, -1) && slices.Contains(dims, 0) {
			// TensorFlow infers the -1 leaving zero-sized input
			// dimensions out of the count; ONNX rejects 0 next to -1.
			if dims, err = a.outShape(0); err != nil {
				return err
			}
		}
		shape, err = a.Int64s(dims...)
		if err != nil {
			return err
		}
	} else if shape, err = a.int64Input(1); err != nil {
		return err
	}
	out, err := a.Op("Reshape", []string{x, shape}, map[string]any{"allowzero": 1})
	a.SetOutput(0, out)
	return err
}

// outShape returns the fully known shape of output k.
func (a arr) outShape(k int) ([]int, error) {
	s := a.Out(k).Shape
	if s == nil || slices.Contains(s, -1) {
		return nil, a.Fail("output %d has unknown shape %v", k, s)
	}
	return s, nil
}

func (a arr) squeezeOp() error {
	name := "squeeze_dims"
	if !a.Attrs.Has(name) && a.Attrs.Has("axis") {
		name = "axis"
	}
	dims, err := a.Attrs.Ints(name, nil)
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
	var axes []int
	if len(dims) == 0 {
		if v.Perm == nil {
			// Both squeeze every size-1 dimension, whatever the shape.
			out, err := a.Op("Squeeze", []string{v.Name}, nil)
			a.SetOutput(0, out)
			return err
		}
		shape, err := a.shapeOf(0)
		if err != nil {
			return err
		}
		for i, d := range shape {
			if d == 1 {
				axes = append(axes, i)
			}
		}
	}
	for _, d := range dims {
		ax, err := a.normAxis(int(d), rank)
		if err != nil {
			return err
		}
		if !slices.Contains(axes, ax) {
			axes = append(axes, ax)
		}
	}
	out, err := a.squeeze(v, rank, axes)
	if err != nil {
		return err
	}
	a.SetOutputValue(0, out)
	return nil
}

// expandDims: TensorFlow's dim and ONNX Unsqueeze's axes both count
// negative positions from the end of the output, so a runtime dim goes to
// ONNX as is; a static one keeps the input's layout.
func (a arr) expandDims() error {
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	if a.In(1).Value != nil {
		dim, err := a.staticScalar(1)
		if err != nil {
			return err
		}
		if dim, err = a.normAxis(dim, rank+1); err != nil {
			return err
		}
		v, err := a.Raw(0)
		if err != nil {
			return err
		}
		out, err := a.unsqueeze(v, rank, []int{dim})
		if err != nil {
			return err
		}
		a.SetOutputValue(0, out)
		return nil
	}
	x, err := a.Input(0)
	if err != nil {
		return err
	}
	dim, err := a.int64Input(1)
	if err != nil {
		return err
	}
	one, err := a.Int64s(1)
	if err != nil {
		return err
	}
	if dim, err = a.Op("Reshape", []string{dim, one}, nil); err != nil {
		return err
	}
	out, err := a.Op("Unsqueeze", []string{x, dim}, nil)
	a.SetOutput(0, out)
	return err
}

func outTypeCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	dt, err := a.Type("out_type", tensor.Int32)
	if err != nil {
		return err
	}
	if dt != tensor.Int32 && dt != tensor.Int64 {
		return untranslatable("out_type %v", dt)
	}
	return nil
}

// shapeOp translates Shape and ShapeN. Their outputs are static, so the
// fold makes them constants; this ONNX form is for a caller whose oracle
// does not provide the values.
func (a arr) shapeOp() error {
	dt, err := a.Attrs.Type("out_type", tensor.Int32)
	if err != nil {
		return err
	}
	for i := 0; i < a.NumInputs(); i++ {
		v, err := a.Raw(i)
		if err != nil {
			return err
		}
		s, err := a.Op("Shape", []string{v.Name}, nil)
		if err != nil {
			return err
		}
		if v.Perm != nil {
			idx, err := a.Int64s(invert(v.Perm)...)
			if err != nil {
				return err
			}
			if s, err = a.Op("Gather", []string{s, idx}, map[string]any{"axis": 0}); err != nil {
				return err
			}
		}
		if dt != tensor.Int64 {
			if s, err = a.cast(s, dt); err != nil {
				return err
			}
		}
		a.SetOutput(i, s)
	}
	return nil
}

// size is the product of the shape (ONNX Size lacks half types).
func (a arr) size() error {
	dt, err := a.Attrs.Type("out_type", tensor.Int32)
	if err != nil {
		return err
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	s, err := a.Op("Shape", []string{v.Name}, nil)
	if err != nil {
		return err
	}
	n, err := a.Op("ReduceProd", []string{s}, map[string]any{"keepdims": 0})
	if err != nil {
		return err
	}
	if dt != tensor.Int64 {
		if n, err = a.cast(n, dt); err != nil {
			return err
		}
	}
	a.SetOutput(0, n)
	return nil
}

// rank: a signature fixes every rank.
func (a arr) rank() error {
	r, err := a.rankOf(0)
	if err != nil {
		return err
	}
	a.SetOutputConst(0, tensor.Scalar(int32(r)))
	return nil
}
