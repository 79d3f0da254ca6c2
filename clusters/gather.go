package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Gathers, scatters, one-hot encoding and Where (the coordinates of the
// non-zero elements), written as array translators (see arr).
func init() {
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Check: gatherCheck, Translate: arrayOp(arr.gather)}, "GatherV2")
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Translate: arrayOp(arr.gather)}, "Gather")
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Check: badIndicesCheck, Translate: arrayOp(arr.gatherNd)}, "GatherNd")
	register(Entry{DTypes: scatterTypes, Check: badIndicesCheck, Translate: arrayOp(arr.scatterNd)}, "ScatterNd")
	for _, sc := range []struct {
		ops       []string
		reduction string
		negate    bool
		dtypes    []tensor.DType
	}{
		{[]string{"TensorScatterUpdate"}, "none", false, scatterTypes},
		{[]string{"TensorScatterAdd", "ScatterNdNonAliasingAdd"}, "add", false, scatterTypes},
		{[]string{"TensorScatterSub"}, "add", true, signedScatterTypes},
		{[]string{"TensorScatterMax"}, "max", false, scatterTypes},
		{[]string{"TensorScatterMin"}, "min", false, scatterTypes},
	} {
		register(Entry{DTypes: sc.dtypes, Check: badIndicesCheck,
			Translate: arrayOp(func(a arr) error { return a.tensorScatter(sc.reduction, sc.negate) })}, sc.ops...)
	}
	register(Entry{DTypes: oneHotTypes, Check: oneHotCheck, Translate: arrayOp(arr.oneHot)}, "OneHot")
	register(Entry{DTypes: whereTypes, Translate: arrayOp(arr.where)}, "Where")
}

// The dtypes of ONNX Runtime's CPU kernels that the translations use.
var (
	// scatterTypes: ScatterElements with reduction "add" (no half types,
	// which would round differently from TensorFlow's step-by-step
	// rounding).
	scatterTypes = append([]tensor.DType{tensor.Float32, tensor.Float64}, intTypes...)
	// signedScatterTypes: those ONNX Runtime's Neg takes.
	signedScatterTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64}
	// oneHotTypes: OneHot computes float32 or int64; the other types go
	// through an exact Cast (or a Where for float64).
	oneHotTypes = movableTypes
	// whereTypes: NonZero, after a Cast to bool for the types it lacks.
	whereTypes = movableTypes
)

func gatherCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	bd, err := a.Int("batch_dims", 0)
	if err != nil {
		return err
	}
	if bd != 0 {
		return untranslatable("batch_dims=%d", bd)
	}
	return nil
}

// gather translates GatherV2 (static axis) and Gather (axis 0) to ONNX
// Gather along the axis's storage position; the output keeps the params'
// layout around the index dimensions. ONNX wraps negative indices where
// TensorFlow reports an error; valid inputs agree, and checking would cost
// a reduction per run.
func (a arr) gather() error {
	axis := 0
	if a.NumInputs() > 2 {
		var err error
		if axis, err = a.staticScalar(2); err != nil {
			return err
		}
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	q, err := a.rankOf(1)
	if err != nil {
		return err
	}
	if axis, err = a.normAxis(axis, rank); err != nil {
		return err
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	idx, err := a.Input(1)
	if err != nil {
		return err
	}
	j := axisIn(axis, rank, v.Perm)
	out, err := a.Op("Gather", []string{v.Name, idx}, map[string]any{"axis": j})
	if err != nil {
		return err
	}
	var perm []int
	if v.Perm != nil {
		shifted := func(t int) int {
			if t < axis {
				return t
			}
			return t + q - 1
		}
		for _, t := range v.Perm[:j] {
			perm = append(perm, shifted(t))
		}
		for k := 0; k < q; k++ {
			perm = append(perm, axis+k)
		}
		for _, t := range v.Perm[j+1:] {
			perm = append(perm, shifted(t))
		}
	}
	a.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

func badIndicesCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	p, err := a.String("bad_indices_policy", "")
	if err != nil {
		return err
	}
	if p != "" && p != "DEFAULT" && p != "ERROR" {
		return untranslatable("bad_indices_policy %q", p)
	}
	return nil
}

// gatherNd is ONNX GatherND with int64 indices.
func (a arr) gatherNd() error {
	if s := a.In(1).Shape; len(s) == 0 || s[len(s)-1] < 1 {
		return a.Fail("indices of shape %v", s)
	}
	params, err := a.Input(0)
	if err != nil {
		return err
	}
	idx, err := a.int64Input(1)
	if err != nil {
		return err
	}
	out, err := a.Op("GatherND", []string{params, idx}, map[string]any{"batch_dims": 0})
	a.SetOutput(0, out)
	return err
}

// scatterNd adds the updates into zeros of the static shape. ONNX
// Runtime's ScatterND applies reductions in parallel over the indices,
// racing on duplicates, so this flattens the indexed dimensions and uses
// ScatterElements, which accumulates each element's updates in order, as
// TensorFlow does.
func (a arr) scatterNd() error {
	shape, err := a.staticInts(2)
	if err != nil {
		return err
	}
	zero, err := tensor.FromFloat64s(a.Out(0).DType, tensor.Shape{1}, []float64{0})
	if err != nil {
		return a.Fail("%v", err)
	}
	return a.scatterRows(shape, 0, 1, "add", false, func(e *emitter, rows, cols int) string {
		return e.op("ConstantOfShape", map[string]any{"value": zero}, e.ints(rows, cols))
	})
}

// tensorScatter scatters into input 0 (TensorScatterUpdate and its
// reducing relatives, ScatterNdNonAliasingAdd); its shape must be known.
// Sub adds the negated updates.
func (a arr) tensorScatter(reduction string, negate bool) error {
	shape := a.In(0).Shape
	if shape == nil || slices.Contains(shape, -1) {
		return a.Fail("input of unknown shape %v", shape)
	}
	return a.scatterRows(shape, 1, 2, reduction, negate, func(e *emitter, rows, cols int) string {
		return e.op("Reshape", nil, e.input(0), e.ints(rows, cols))
	})
}

// scatterRows scatters the updates (input upd) at the index tuples (input
// ind) into the output of the given shape, seen as [rows, cols] where the
// tuples pick rows: ScatterElements on that view, started from base, with
// the ONNX reduction.
func (a arr) scatterRows(shape []int, ind, upd int, reduction string, negate bool, base func(e *emitter, rows, cols int) string) error {
	is := a.In(ind).Shape
	if len(is) == 0 || is[len(is)-1] < 1 || is[len(is)-1] > len(shape) {
		return a.Fail("indices of shape %v for output shape %v", is, shape)
	}
	nd := is[len(is)-1]
	strides := make([]int, nd)
	rows, cols := 1, 1
	for j := nd - 1; j >= 0; j-- {
		strides[j] = rows
		rows *= shape[j]
	}
	for _, d := range shape[nd:] {
		cols *= d
	}
	e := a.emitter()
	// Row of each update in the [rows, cols] view of the output,
	// repeated over its columns.
	idx := e.op("Mul", nil, e.op("Reshape", nil, e.int64Input(ind), e.ints(-1, nd)), e.ints(strides...))
	idx = e.op("ReduceSum", map[string]any{"keepdims": 1}, idx, e.ints(1))
	idx = e.op("Expand", nil, idx, e.ints(1, cols))
	u := e.op("Reshape", nil, e.input(upd), e.ints(-1, cols))
	if negate {
		u = e.op("Neg", nil, u)
	}
	out := e.op("ScatterElements", map[string]any{"axis": 0, "reduction": reduction}, base(e, rows, cols), idx, u)
	a.SetOutput(0, e.op("Reshape", nil, out, e.ints(shape...)))
	return e.err
}

func oneHotCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	ti, err := a.Type("TI", tensor.Int64)
	if err != nil {
		return err
	}
	switch ti {
	case tensor.Uint8, tensor.Int8, tensor.Int32, tensor.Int64:
	default:
		return untranslatable("TI=%v", ti)
	}
	axis, err := a.Int("axis", -1)
	if err != nil {
		return err
	}
	if axis < -1 {
		return untranslatable("axis %d", axis)
	}
	return nil
}

// oneHot is ONNX OneHot on int64 indices. ONNX counts negative indices
// from the end of depth where TensorFlow gives a row of off values, so
// they become depth (out of range in both). ONNX Runtime rejects a depth
// of 0, which TensorFlow allows: a runtime depth is raised to at least 1
// and the result cut back to depth. ONNX Runtime computes float32 and
// int64; other types convert exactly: through Cast, or for float64 a
// Where between on and off.
func (a arr) oneHot() error {
	axis, err := a.Attrs.Int("axis", -1)
	if err != nil {
		return err
	}
	r, err := a.rankOf(0)
	if err != nil {
		return err
	}
	dt := a.Out(0).DType
	e := a.emitter()
	idx, depth := e.int64Input(0), e.int64Input(1)
	if a.In(0).DType != tensor.Uint8 {
		idx = e.op("Where", nil, e.op("Less", nil, idx, e.scalar(0)), depth, idx)
	}
	cut := false
	if d, err := a.staticScalar(1); err != nil || d < 1 {
		depth, cut = e.op("Max", nil, depth, e.scalar(1)), true
	}
	// compute is the type OneHot runs in.
	compute := tensor.Int64
	switch dt {
	case tensor.Float32, tensor.Float16, tensor.BFloat16:
		compute = tensor.Float32
	}
	var values string
	if dt == tensor.Float64 {
		values = e.ints(0, 1)
	} else {
		off := e.op("Reshape", nil, e.cast(e.input(3), dt, compute), e.ints(1))
		on := e.op("Reshape", nil, e.cast(e.input(2), dt, compute), e.ints(1))
		values = e.op("Concat", map[string]any{"axis": 0}, off, on)
	}
	out := e.op("OneHot", map[string]any{"axis": axis}, idx, depth, values)
	if cut {
		pos := int(axis)
		if pos == -1 {
			pos = r
		}
		end := e.op("Reshape", nil, e.int64Input(1), e.ints(1))
		out = e.op("Slice", nil, out, e.ints(0), end, e.ints(pos))
	}
	if dt == tensor.Float64 {
		out = e.op("Where", nil, e.cast(out, tensor.Int64, tensor.Bool), e.input(2), e.input(3))
	} else {
		out = e.cast(out, compute, dt)
	}
	a.SetOutput(0, out)
	return e.err
}

// where (one input) lists the coordinates of the non-zero elements in
// row-major order: ONNX NonZero, transposed to [count, rank]. Types
// NonZero lacks are cast to bool first (non-zero, NaN included, is true).
// A scalar is looked at as a vector of one, whose [count, 1] coordinates
// lose their column.
func (a arr) where() error {
	r, err := a.rankOf(0)
	if err != nil {
		return err
	}
	x, err := a.Input(0)
	if err != nil {
		return err
	}
	if r == 0 {
		if x, err = a.reshapeTo(x, []int{1}); err != nil {
			return err
		}
	}
	switch a.In(0).DType {
	case tensor.Bool, tensor.Float32, tensor.Int32, tensor.Int64, tensor.Uint8:
	default:
		if x, err = a.cast(x, tensor.Bool); err != nil {
			return err
		}
	}
	nz, err := a.Op("NonZero", []string{x}, nil)
	if err != nil {
		return err
	}
	out, err := a.Op("Transpose", []string{nz}, map[string]any{"perm": []int{1, 0}})
	if err != nil {
		return err
	}
	if r == 0 {
		ins := []string{out}
		for _, v := range []int{0, 0, 1} { // starts, ends, axes
			name, err := a.Int64s(v)
			if err != nil {
				return err
			}
			ins = append(ins, name)
		}
		if out, err = a.Op("Slice", ins, nil); err != nil {
			return err
		}
	}
	a.SetOutput(0, out)
	return nil
}
