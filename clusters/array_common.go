package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// Shape and data-movement ops: reshapes, transposes, joins and splits,
// slices, padding, tiling, sequences, gathers and scatters.
//
// Index inputs reach ONNX as int64. Inputs whose values ONNX takes at run
// time (Reshape's shape, Slice's begin and size, Tile's multiples, Fill's
// dims, Range's bounds, ...) are not static: the node can share a cluster
// with whatever computes them. Axis-based ops work on a permuted value (an
// NCHW convolution output) by remapping their axes, and Transpose emits no
// node at all: it composes with the input's layout, so a transpose is
// materialized only where an op needs TensorFlow's order.
//
// Every translator first folds: when the oracle found all of a node's
// outputs static (computed from constants and shapes only) and small, they
// become constants of the model (see foldStatic).
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.reshape)}, "Reshape")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.squeezeOp)}, "Squeeze")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.expandDims)}, "ExpandDims")
	// ConjugateTranspose is Transpose for the real types claimed here.
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.transpose)}, "Transpose", "ConjugateTranspose")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error {
		return a.concat(a.NumInputs()-1, 0, a.NumInputs()-1)
	})}, "ConcatV2")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error {
		return a.concat(0, 1, a.NumInputs())
	})}, "Concat")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.pack)}, "Pack")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.unpack)}, "Unpack")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.split)}, "Split")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.splitV)}, "SplitV")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.slice)}, "Slice")
	register(Entry{DTypes: movableTypes, Check: stridedSliceCheck, Translate: arrayOp(arr.stridedSlice)}, "StridedSlice")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.pad(false) })}, "Pad")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.pad(true) })}, "PadV2")
	register(Entry{DTypes: movableTypes, Check: mirrorPadCheck, Translate: arrayOp(arr.mirrorPad)}, "MirrorPad")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.tile)}, "Tile")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.fill)}, "Fill")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.broadcastTo)}, "BroadcastTo")
	register(Entry{TypeAttr: "Tidx", DTypes: rangeTypes, Translate: arrayOp(arr.rangeOp)}, "Range")
	register(Entry{DTypes: movableTypes, Check: outTypeCheck, Translate: arrayOp(arr.shapeOp)}, "Shape", "ShapeN")
	register(Entry{DTypes: movableTypes, Check: outTypeCheck, Translate: arrayOp(arr.size)}, "Size")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.rank)}, "Rank")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.constantLike(0) })}, "ZerosLike")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error { return a.constantLike(1) })}, "OnesLike")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.reverse)}, "ReverseV2")
	register(Entry{DTypes: movableTypes, Check: depthSpaceCheck, Translate: arrayOp(func(a arr) error {
		return a.depthSpace("DepthToSpace")
	})}, "DepthToSpace")
	register(Entry{DTypes: movableTypes, Check: depthSpaceCheck, Translate: arrayOp(func(a arr) error {
		return a.depthSpace("SpaceToDepth")
	})}, "SpaceToDepth")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.spaceToBatch)}, "SpaceToBatchND")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.batchToSpace)}, "BatchToSpaceND")
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Check: gatherCheck, Translate: arrayOp(arr.gather)}, "GatherV2")
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Translate: arrayOp(arr.gather)}, "Gather")
	register(Entry{TypeAttr: "Tparams", DTypes: movableTypes, Check: badIndicesCheck, Translate: arrayOp(arr.gatherNd)}, "GatherNd")
	register(Entry{DTypes: scatterTypes, Check: badIndicesCheck, Translate: arrayOp(arr.scatterNd)}, "ScatterNd")
	register(Entry{DTypes: oneHotTypes, Check: oneHotCheck, Translate: arrayOp(arr.oneHot)}, "OneHot")
	register(Entry{DTypes: whereTypes, Translate: arrayOp(arr.where)}, "Where")
	register(Entry{DTypes: cumsumTypes, Translate: arrayOp(arr.cumsum)}, "Cumsum")
}

// The dtypes of ONNX Runtime's CPU kernels that the translations use.
var (
	// movableTypes: Reshape, Squeeze, Unsqueeze, Transpose, Concat,
	// Split, Slice, Gather, GatherND, Shape and ConstantOfShape take
	// them all; Pad, Tile and Expand get the ones they lack through
	// exactWider.
	movableTypes = append(slices.Clone(floatTypes), append(slices.Clone(intTypes), tensor.Bool)...)
	padKernel    = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Int32, tensor.Int64,
		tensor.Uint8, tensor.Uint32, tensor.Uint64, tensor.Bool}
	tileKernel = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
		tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64, tensor.Bool}
	expandKernel = append(slices.Clone(tileKernel), tensor.Float16)
	rangeTypes   = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}
	// The types of the DepthToSpace and SpaceToDepth kernels.
	depthToSpaceTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Uint8}
	spaceToDepthTypes = []tensor.DType{tensor.Float32, tensor.Float64}
	// cumsumTypes: CumSum takes float, double, int32 and int64; other
	// integers sum in int64, which wraps to the same result modulo their
	// width. Half types would round differently from TensorFlow's
	// step-by-step rounding.
	cumsumTypes  = append([]tensor.DType{tensor.Float32, tensor.Float64}, intTypes...)
	cumsumKernel = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}
	// scatterTypes: ScatterElements with reduction "add" (no half types,
	// for the same reason).
	scatterTypes = append([]tensor.DType{tensor.Float32, tensor.Float64}, intTypes...)
	// oneHotTypes: OneHot computes float32 or int64; the other types go
	// through an exact Cast (or a Where for float64).
	oneHotTypes = movableTypes
	// whereTypes: NonZero, after a Cast to bool for the types it lacks.
	whereTypes = movableTypes
)

// exactWider lists, for a dtype, wider dtypes holding each of its values
// exactly, in order of preference: a pure data-movement kernel that lacks
// the dtype runs in one of them between two Casts.
var exactWider = map[tensor.DType][]tensor.DType{
	tensor.Float16:  {tensor.Float32},
	tensor.BFloat16: {tensor.Float32},
	tensor.Int8:     {tensor.Int32, tensor.Int64},
	tensor.Int16:    {tensor.Int32, tensor.Int64},
	tensor.Uint8:    {tensor.Int32, tensor.Int64},
	tensor.Uint16:   {tensor.Uint32, tensor.Int32, tensor.Int64},
	tensor.Uint32:   {tensor.Uint64, tensor.Int64},
}

// computeType returns the dtype a kernel taking kernel computes dt in.
func (a arr) computeType(dt tensor.DType, kernel []tensor.DType) (tensor.DType, error) {
	if slices.Contains(kernel, dt) {
		return dt, nil
	}
	for _, w := range exactWider[dt] {
		if slices.Contains(kernel, w) {
			return w, nil
		}
	}
	return tensor.Invalid, a.Fail("no ONNX Runtime kernel for %v", dt)
}

// castIf casts name from dtype from to dtype to unless they are equal.
func (a arr) castIf(name string, from, to tensor.DType) (string, error) {
	if from == to {
		return name, nil
	}
	return a.cast(name, to)
}

// emitter emits a composition of ONNX nodes for one translator, keeping
// the first error: after one, its methods emit nothing and return "".
type emitter struct {
	a   arr
	err error
}

func (a arr) emitter() *emitter { return &emitter{a: a} }

// op emits a single-output node.
func (e *emitter) op(op string, attrs map[string]any, in ...string) string {
	if e.err != nil {
		return ""
	}
	var out string
	out, e.err = e.a.Op(op, in, attrs)
	return out
}

// ints adds a 1-D int64 constant; scalar a rank-0 one.
func (e *emitter) ints(v ...int) string {
	if e.err != nil {
		return ""
	}
	var out string
	out, e.err = e.a.Int64s(v...)
	return out
}

func (e *emitter) scalar(v int64) string {
	if e.err != nil {
		return ""
	}
	var out string
	out, e.err = e.a.scalarInt64(v)
	return out
}

// cast casts x from dtype from to dtype to unless they are equal.
func (e *emitter) cast(x string, from, to tensor.DType) string {
	if e.err != nil || from == to {
		return x
	}
	var out string
	out, e.err = e.a.cast(x, to)
	return out
}

// input returns data input i in TensorFlow order.
func (e *emitter) input(i int) string {
	if e.err != nil {
		return ""
	}
	var out string
	out, e.err = e.a.Input(i)
	return out
}

// int64Input is arr.int64Input.
func (e *emitter) int64Input(i int) string {
	if e.err != nil {
		return ""
	}
	var out string
	out, e.err = e.a.int64Input(i)
	return out
}

// maxFolded bounds the elements of a static output turned into a constant.
const maxFolded = 4096

// arr is the context of the array translators; its methods are the
// translators and their helpers.
type arr struct{ *Ctx }

// arrayOp makes a translator of an arr method, folding static outputs first.
func arrayOp(f func(arr) error) func(*Ctx) error {
	return func(c *Ctx) error {
		if foldStatic(c) {
			return nil
		}
		return f(arr{c})
	}
}

// foldStatic makes every output of the node a constant when the oracle
// computed all of them from static tensors only (the runner's Infer sets
// their values: shapes are fixed per compiled signature) and each has at
// most maxFolded elements. Shape arithmetic then costs no ONNX node, and
// later translators see the same values the model computes.
func foldStatic(c *Ctx) bool {
	var outs []*tensor.Tensor
	for k := 0; ; k++ {
		inf, ok := c.b.info[graph.TensorName{Node: c.Node.GetName(), Output: k}.Canonical()]
		if !ok {
			break
		}
		if inf.Value == nil || inf.Value.NumElements() > maxFolded {
			return false
		}
		outs = append(outs, inf.Value)
	}
	for k, t := range outs {
		c.SetOutputConst(k, t)
	}
	return len(outs) > 0
}

// Sentinels for ONNX Slice bounds: clamped to the end (or, with a negative
// step, to before the start) of any dimension.
const (
	sliceToEnd   = math.MaxInt64
	sliceToStart = math.MinInt64
)

// rankOf returns the known rank of input i.
func (a arr) rankOf(i int) (int, error) {
	r := a.In(i).Rank()
	if r < 0 {
		return 0, a.Fail("input %d has unknown rank", i)
	}
	return r, nil
}

// shapeOf returns the fully known shape of input i.
func (a arr) shapeOf(i int) ([]int, error) {
	s := a.In(i).Shape
	if s == nil || slices.Contains(s, -1) {
		return nil, a.Fail("input %d has unknown shape %v", i, s)
	}
	return s, nil
}

// int64Input returns integer input i as an int64 tensor: converted at
// translation time when static, through a Cast otherwise.
func (a arr) int64Input(i int) (string, error) {
	if v := a.In(i).Value; v != nil {
		t, err := toInt64Tensor(v)
		if err != nil {
			return "", a.Fail("input %d: %v", i, err)
		}
		return a.Const(t)
	}
	name, err := a.Input(i)
	if err != nil {
		return "", err
	}
	if a.In(i).DType == tensor.Int64 {
		return name, nil
	}
	return a.cast(name, tensor.Int64)
}

// cast emits a Cast of name to dtype dt.
func (a arr) cast(name string, dt tensor.DType) (string, error) {
	to, err := onnxElemType(dt)
	if err != nil {
		return "", err
	}
	return a.Op("Cast", []string{name}, map[string]any{"to": int64(to)})
}

// scalarInt64 adds a rank-0 int64 initializer.
func (a arr) scalarInt64(v int64) (string, error) { return a.Const(tensor.Scalar(v)) }

// toInt64Tensor converts an integer tensor to int64, keeping its shape.
func toInt64Tensor(t *tensor.Tensor) (*tensor.Tensor, error) {
	var out []int64
	switch v := t.Data().(type) {
	case []int64:
		return t, nil
	case []int32:
		out = widenInts(v)
	case []int16:
		out = widenInts(v)
	case []int8:
		out = widenInts(v)
	case []uint8:
		out = widenInts(v)
	case []uint16:
		out = widenInts(v)
	case []uint32:
		out = widenInts(v)
	default:
		return nil, untranslatable("%v is not an index type", t.DType())
	}
	return tensor.FromSlice(t.Shape(), out)
}

func widenInts[S int8 | int16 | int32 | uint8 | uint16 | uint32](v []S) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// orIdentity returns perm, or the identity of rank n when perm is nil.
func orIdentity(perm []int, n int) []int {
	if perm == nil {
		return identityPerm(n)
	}
	return perm
}

// normAxis makes a possibly negative axis of a tensor of rank n
// non-negative, failing outside [-n, n).
func (a arr) normAxis(axis, n int) (int, error) {
	if axis < -n || axis >= n {
		return 0, a.Fail("axis %d is out of range for rank %d", axis, n)
	}
	if axis < 0 {
		axis += n
	}
	return axis, nil
}

// staticAxis returns the static axis input i as an axis of input of, in
// [0, rank), with that rank.
func (a arr) staticAxis(i, of int) (axis, rank int, err error) {
	if axis, err = a.staticScalar(i); err != nil {
		return 0, 0, err
	}
	if rank, err = a.rankOf(of); err != nil {
		return 0, 0, err
	}
	axis, err = a.normAxis(axis, rank)
	return axis, rank, err
}

// staticInts returns the values of static integer input i (any integer
// type up to int64).
func (a arr) staticInts(i int) ([]int, error) {
	t, err := a.Static(i)
	if err != nil {
		return nil, err
	}
	if t, err = toInt64Tensor(t); err != nil {
		return nil, a.Fail("input %d: %v", i, err)
	}
	v := tensor.Values[int64](t)
	out := make([]int, len(v))
	for k, x := range v {
		out[k] = int(x)
	}
	return out, nil
}

// staticScalar returns the one value of static integer input i.
func (a arr) staticScalar(i int) (int, error) {
	v, err := a.staticInts(i)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, a.Fail("input %d must hold one value, has %d", i, len(v))
	}
	return v[0], nil
}

// squeeze removes the TensorFlow axes axes (distinct, each of size 1)
// from v, a value of rank rank, in whatever layout v has.
func (a arr) squeeze(v Value, rank int, axes []int) (Value, error) {
	if len(axes) == 0 {
		return v, nil
	}
	onnx := make([]int, len(axes))
	for k, ax := range axes {
		onnx[k] = axisIn(ax, rank, v.Perm)
	}
	slices.Sort(onnx)
	ax, err := a.Int64s(onnx...)
	if err != nil {
		return Value{}, err
	}
	out, err := a.Op("Squeeze", []string{v.Name, ax}, nil)
	return Value{Name: out, Perm: dropAxes(v.Perm, axes)}, err
}

// dropAxes returns the layout of a value stored as perm once the
// TensorFlow axes axes are removed.
func dropAxes(perm, axes []int) []int {
	if perm == nil {
		return nil
	}
	out := make([]int, 0, len(perm))
	for _, p := range perm {
		if slices.Contains(axes, p) {
			continue
		}
		shift := 0
		for _, ax := range axes {
			if ax < p {
				shift++
			}
		}
		out = append(out, p-shift)
	}
	return out
}

// unsqueeze inserts unit dimensions into v, a value of rank rank, so that
// they are TensorFlow axes axes (sorted, distinct) of the result. A
// permuted value gets them last in storage order, which moves no data and
// keeps its other dimensions where they are.
func (a arr) unsqueeze(v Value, rank int, axes []int) (Value, error) {
	if len(axes) == 0 {
		return v, nil
	}
	outRank := rank + len(axes)
	onnx := axes
	var perm []int
	if v.Perm != nil {
		kept := make([]int, 0, rank) // the output axis of each input axis
		for i := 0; i < outRank; i++ {
			if !slices.Contains(axes, i) {
				kept = append(kept, i)
			}
		}
		perm = make([]int, 0, outRank)
		for _, p := range v.Perm {
			perm = append(perm, kept[p])
		}
		perm = append(perm, axes...)
		onnx = identityPerm(outRank)[rank:]
	}
	ax, err := a.Int64s(onnx...)
	if err != nil {
		return Value{}, err
	}
	out, err := a.Op("Unsqueeze", []string{v.Name, ax}, nil)
	return Value{Name: out, Perm: perm}, err
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

// transpose emits nothing: the output is the input's ONNX value with the
// composed layout, transposed once where something needs another order.
func (a arr) transpose() error {
	perm, err := a.staticInts(1)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	if len(perm) != rank || !isPermutation(perm) {
		return a.Fail("%v is not a permutation of %d axes", perm, rank)
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	// Output axis i is input axis perm[i]; storage dimension j holds
	// input axis cur[j], so output axis inv[cur[j]].
	inv := invert(perm)
	cur := orIdentity(v.Perm, rank)
	composed := make([]int, rank)
	for j, p := range cur {
		composed[j] = inv[p]
	}
	a.SetOutputValue(0, Value{Name: v.Name, Perm: composed})
	return nil
}

func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, x := range p {
		if x < 0 || x >= len(p) || seen[x] {
			return false
		}
		seen[x] = true
	}
	return true
}

// concat joins inputs [lo, hi) along the static axis input, in the layout
// of the first permuted one.
func (a arr) concat(axisInput, lo, hi int) error {
	axis, err := a.staticScalar(axisInput)
	if err != nil {
		return err
	}
	rank := a.Out(0).Rank()
	if rank < 1 {
		return a.Fail("concatenation of rank %d", rank)
	}
	if axis, err = a.normAxis(axis, rank); err != nil {
		return err
	}
	idx := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	perm := a.layoutOf(rank, idx...)
	names := make([]string, len(idx))
	for k, i := range idx {
		if names[k], err = a.aligned(i, perm, rank); err != nil {
			return err
		}
	}
	out, err := a.Op("Concat", names, map[string]any{"axis": axisIn(axis, rank, perm)})
	a.SetOutputValue(0, Value{Name: out, Perm: perm})
	return err
}

// pack stacks its inputs along a new axis: Unsqueeze each, then Concat.
func (a arr) pack() error {
	axis, err := a.Attrs.Int("axis", 0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	ax, err := a.normAxis(int(axis), rank+1)
	if err != nil {
		return err
	}
	idx := make([]int, a.NumInputs())
	for i := range idx {
		idx[i] = i
	}
	perm := a.layoutOf(rank, idx...)
	names := make([]string, len(idx))
	var out Value
	for _, i := range idx {
		name, err := a.aligned(i, perm, rank)
		if err != nil {
			return err
		}
		if out, err = a.unsqueeze(Value{Name: name, Perm: perm}, rank, []int{ax}); err != nil {
			return err
		}
		names[i] = out.Name
	}
	if len(names) > 1 {
		if out.Name, err = a.Op("Concat", names, map[string]any{"axis": axisIn(ax, rank+1, out.Perm)}); err != nil {
			return err
		}
	}
	a.SetOutputValue(0, out)
	return nil
}

// unpack splits along axis into num pieces of size 1 and squeezes them.
func (a arr) unpack() error {
	num, err := a.Attrs.Int("num", 0)
	if err != nil {
		return err
	}
	axis, err := a.Attrs.Int("axis", 0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	ax, err := a.normAxis(int(axis), rank)
	if err != nil {
		return err
	}
	if num == 0 {
		return nil // no outputs
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	pieces := []string{v.Name}
	if num > 1 {
		ones := make([]int, num)
		for i := range ones {
			ones[i] = 1
		}
		sizes, err := a.Int64s(ones...)
		if err != nil {
			return err
		}
		if pieces, err = a.OpN("Split", []string{v.Name, sizes}, int(num), map[string]any{"axis": axisIn(ax, rank, v.Perm)}); err != nil {
			return err
		}
	}
	for k, p := range pieces {
		out, err := a.squeeze(Value{Name: p, Perm: v.Perm}, rank, []int{ax})
		if err != nil {
			return err
		}
		a.SetOutputValue(k, out)
	}
	return nil
}

// split cuts input 1 into num_split equal parts along the static axis 0.
func (a arr) split() error {
	num, err := a.Attrs.Int("num_split", 0)
	if err != nil {
		return err
	}
	axis, rank, err := a.staticAxis(0, 1)
	if err != nil {
		return err
	}
	v, err := a.Raw(1)
	if err != nil {
		return err
	}
	if num == 1 {
		a.SetOutputValue(0, v)
		return nil
	}
	outs, err := a.OpN("Split", []string{v.Name}, int(num), map[string]any{"axis": axisIn(axis, rank, v.Perm), "num_outputs": num})
	if err != nil {
		return err
	}
	for k, o := range outs {
		a.SetOutputValue(k, Value{Name: o, Perm: v.Perm})
	}
	return nil
}

// splitV cuts input 0 into pieces of the sizes of input 1 along the static
// axis 2. ONNX has no -1 size: where one may be there, it is computed at
// run time as the dimension minus the other sizes.
func (a arr) splitV() error {
	num, err := a.Attrs.Int("num_split", 0)
	if err != nil {
		return err
	}
	axis, rank, err := a.staticAxis(2, 0)
	if err != nil {
		return err
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	if num == 1 {
		a.SetOutputValue(0, v)
		return nil
	}
	j := axisIn(axis, rank, v.Perm)
	sizes, err := a.int64Input(1)
	if err != nil {
		return err
	}
	if s, _ := a.staticInts(1); s == nil || slices.Contains(s, -1) {
		if sizes, err = a.resolveSplitSizes(v.Name, j, sizes); err != nil {
			return err
		}
	}
	outs, err := a.OpN("Split", []string{v.Name, sizes}, int(num), map[string]any{"axis": j})
	if err != nil {
		return err
	}
	for k, o := range outs {
		a.SetOutputValue(k, Value{Name: o, Perm: v.Perm})
	}
	return nil
}

// resolveSplitSizes replaces a -1 in sizes (int64) by what the others
// leave of dimension j of x: dim − (sum + 1), the sum counting the −1.
func (a arr) resolveSplitSizes(x string, j int, sizes string) (string, error) {
	e := a.emitter()
	dim := e.op("Shape", map[string]any{"start": j, "end": j + 1}, x)
	sum := e.op("Add", nil, e.op("ReduceSum", map[string]any{"keepdims": 1}, sizes), e.scalar(1))
	isRest := e.op("Equal", nil, sizes, e.scalar(-1))
	out := e.op("Where", nil, isRest, e.op("Sub", nil, dim, sum), sizes)
	return out, e.err
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

// kernelIn emits op on x (of dtype dt) and further inputs, computing in
// the dtype a kernel taking kernel computes dt in.
func (a arr) kernelIn(kernel []tensor.DType, dt tensor.DType, op, x string, more ...string) (string, error) {
	ct, err := a.computeType(dt, kernel)
	if err != nil {
		return "", err
	}
	if x, err = a.castIf(x, dt, ct); err != nil {
		return "", err
	}
	out, err := a.Op(op, append([]string{x}, more...), nil)
	if err != nil {
		return "", err
	}
	return a.castIf(out, ct, dt)
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

// rangeOp computes TensorFlow's Range exactly. ONNX Range sizes its
// output as ceil(double(limit−start)/delta), which for float32 differs
// from TensorFlow's ceil(|(limit−start)/delta|) computed in float32
// (tf.range(0, 0.3, 0.1) has 3 elements, ONNX Runtime's 4); for integers
// the size comes from integer arithmetic in int64. Static bounds never get
// here: the oracle's output is folded.
func (a arr) rangeOp() error {
	e := a.emitter()
	dt := a.Out(0).DType
	var b [3]string // start, limit, delta as scalars
	for i := range b {
		b[i] = e.op("Reshape", nil, e.input(i), e.ints())
	}
	var out string
	if dt.IsFloat() {
		out = e.floatRange(b[0], b[1], b[2])
	} else {
		out = e.intRange(b[0], b[1], b[2], dt)
	}
	a.SetOutput(0, out)
	return e.err
}

// intRange: size (|limit−start| + |delta| − 1) / |delta| in int64, values
// start + i·delta, which is TensorFlow's accumulation for integers.
func (e *emitter) intRange(start, limit, delta string, dt tensor.DType) string {
	start, limit, delta = e.cast(start, dt, tensor.Int64), e.cast(limit, dt, tensor.Int64), e.cast(delta, dt, tensor.Int64)
	step := e.op("Abs", nil, delta)
	n := e.op("Add", nil, e.op("Abs", nil, e.op("Sub", nil, limit, start)), step)
	n = e.op("Div", nil, e.op("Sub", nil, n, e.scalar(1)), step)
	idx := e.op("Range", nil, e.scalar(0), n, e.scalar(1))
	out := e.op("Add", nil, e.op("Mul", nil, idx, delta), start)
	return e.cast(out, tensor.Int64, dt)
}

// floatRange: size ceil(|(limit−start)/delta|) in the float type, values
// the running sum of [start, delta, delta, …] — TensorFlow adds delta to
// the previous value rather than computing start + i·delta.
func (e *emitter) floatRange(start, limit, delta string) string {
	q := e.op("Ceil", nil, e.op("Abs", nil, e.op("Div", nil, e.op("Sub", nil, limit, start), delta)))
	n := e.op("Reshape", nil, e.cast(q, e.a.Out(0).DType, tensor.Int64), e.ints(1))
	rest := e.op("Max", nil, e.op("Sub", nil, n, e.ints(1)), e.ints(0))
	terms := e.op("Concat", map[string]any{"axis": 0}, e.op("Reshape", nil, start, e.ints(1)), e.op("Expand", nil, delta, rest))
	sums := e.op("CumSum", nil, terms, e.scalar(0))
	return e.op("Slice", nil, sums, e.ints(0), n)
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

func depthSpaceCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	df, err := a.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	if df != "NHWC" && df != "NCHW" {
		return untranslatable("data_format %s", df)
	}
	bs, err := a.Int("block_size", 0)
	if err != nil {
		return err
	}
	if bs < 2 {
		return untranslatable("block_size %d", bs)
	}
	return nil
}

// depthSpace emits DepthToSpace (mode DCR) or SpaceToDepth on the NCHW
// view. Both order depth as (block row, block column, channel), which is
// TensorFlow's order in NHWC and in NCHW. Types ONNX Runtime's kernels
// lack take the ops' definition instead: a reshape, a transpose and a
// reshape.
func (a arr) depthSpace(op string) error {
	bs, err := a.Attrs.Int("block_size", 0)
	if err != nil {
		return err
	}
	shape, err := a.shapeOf(0)
	if err != nil {
		return err
	}
	if len(shape) != 4 {
		return a.Fail("input of rank %d", len(shape))
	}
	var perm []int
	if !a.isNCHW() {
		perm = NCHW
	}
	x, err := a.InputAs(0, perm)
	if err != nil {
		return err
	}
	kernel := spaceToDepthTypes
	if op == "DepthToSpace" {
		kernel = depthToSpaceTypes
	}
	var out string
	if slices.Contains(kernel, a.In(0).DType) {
		attrs := map[string]any{"blocksize": bs}
		if op == "DepthToSpace" {
			attrs["mode"] = "DCR"
		}
		out, err = a.Op(op, []string{x}, attrs)
	} else {
		var nchw [4]int
		for j, t := range orIdentity(perm, 4) {
			nchw[j] = shape[t]
		}
		out, err = a.depthSpaceByReshape(op == "DepthToSpace", x, nchw, int(bs))
	}
	a.SetOutputValue(0, Value{Name: out, Perm: perm})
	return err
}

// depthSpaceByReshape is ONNX's definition of DepthToSpace (DCR) and
// SpaceToDepth on an NCHW value of shape s.
func (a arr) depthSpaceByReshape(toSpace bool, x string, s [4]int, bs int) (string, error) {
	n, c, h, w := s[0], s[1], s[2], s[3]
	split, order, merged := []int{n, bs, bs, c / (bs * bs), h, w}, []int{0, 3, 4, 1, 5, 2}, []int{n, c / (bs * bs), h * bs, w * bs}
	if !toSpace {
		split, order, merged = []int{n, c, h / bs, bs, w / bs, bs}, []int{0, 3, 5, 1, 2, 4}, []int{n, c * bs * bs, h / bs, w / bs}
	}
	x, err := a.reshapeTo(x, split)
	if err != nil {
		return "", err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return "", err
	}
	return a.reshapeTo(x, merged)
}

// blockArgs reads the static block_shape (input 1) and paddings or crops
// (input 2) of SpaceToBatchND and BatchToSpaceND, and the shape and
// storage layout of the input.
func (a arr) blockArgs() (block, pads, shape, perm []int, v Value, err error) {
	if block, err = a.staticInts(1); err != nil {
		return
	}
	if pads, err = a.staticInts(2); err != nil {
		return
	}
	if shape, err = a.shapeOf(0); err != nil {
		return
	}
	if len(shape) < 1+len(block) || len(pads) != 2*len(block) {
		err = a.Fail("block_shape %v and paddings %v for shape %v", block, pads, shape)
		return
	}
	for _, b := range block {
		if b < 1 {
			err = a.Fail("block_shape %v", block)
			return
		}
	}
	if v, err = a.Raw(0); err != nil {
		return
	}
	perm = orIdentity(v.Perm, len(shape))
	return
}

// spaceToBatch pads the spatial dimensions, splits each into (size/block,
// block), moves the block dimensions before the batch and merges them into
// it. It works in the input's layout; the batch comes out first.
func (a arr) spaceToBatch() error {
	block, pads, shape, perm, v, err := a.blockArgs()
	if err != nil {
		return err
	}
	m, rank := len(block), len(shape)
	if m == 0 {
		a.SetOutputValue(0, v)
		return nil
	}
	spatial := func(t int) bool { return t >= 1 && t <= m }
	padded := make([]int, rank) // storage order
	onnxPads := make([]int, 2*rank)
	anyPad := false
	for j, t := range perm {
		padded[j] = shape[t]
		if spatial(t) {
			onnxPads[j], onnxPads[rank+j] = pads[2*(t-1)], pads[2*(t-1)+1]
			padded[j] += onnxPads[j] + onnxPads[rank+j]
			anyPad = anyPad || onnxPads[j] != 0 || onnxPads[rank+j] != 0
			if padded[j]%block[t-1] != 0 {
				return a.Fail("padded dimension %d (%d) is not a multiple of block size %d", t, padded[j], block[t-1])
			}
		}
	}
	x := v.Name
	if anyPad {
		p, err := a.Int64s(onnxPads...)
		if err != nil {
			return err
		}
		if x, err = a.kernelIn(padKernel, a.In(0).DType, "Pad", x, p); err != nil {
			return err
		}
	}
	var split []int
	outer := make([]int, rank)  // position of each storage dimension in split
	blockAt := make([]int, m+1) // position of each block dimension
	batch := 1
	for _, b := range block {
		batch *= b
	}
	batch *= shape[0]
	final := []int{batch}
	for j, t := range perm {
		outer[j] = len(split)
		if spatial(t) {
			b := block[t-1]
			split = append(split, padded[j]/b, b)
			blockAt[t] = len(split) - 1
		} else {
			split = append(split, padded[j])
		}
		if t != 0 {
			final = append(final, split[outer[j]])
		}
	}
	order := slices.Clone(blockAt[1:])
	order = append(order, outer[slices.Index(perm, 0)])
	outPerm := []int{0}
	for j, t := range perm {
		if t != 0 {
			order = append(order, outer[j])
			outPerm = append(outPerm, t)
		}
	}
	if x, err = a.reshapeTo(x, split); err != nil {
		return err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return err
	}
	if x, err = a.reshapeTo(x, final); err != nil {
		return err
	}
	a.SetOutputValue(0, Value{Name: x, Perm: outPerm})
	return nil
}

// batchToSpace splits the batch into (block…, batch/prod), interleaves
// each block dimension after its spatial dimension, merges the pairs and
// crops. It works in the input's layout when the batch is stored first.
func (a arr) batchToSpace() error {
	block, crops, shape, perm, v, err := a.blockArgs()
	if err != nil {
		return err
	}
	m, rank := len(block), len(shape)
	if m == 0 {
		a.SetOutputValue(0, v)
		return nil
	}
	if perm[0] != 0 {
		name, err := a.Input(0)
		if err != nil {
			return err
		}
		v, perm = Value{Name: name}, identityPerm(rank)
	}
	prod := 1
	for _, b := range block {
		prod *= b
	}
	if shape[0]%prod != 0 {
		return a.Fail("batch %d is not a multiple of %d", shape[0], prod)
	}
	split := append(slices.Clone(block), shape[0]/prod)
	order := []int{m}
	merged := []int{shape[0] / prod}
	var starts, ends, axes []int
	for j := 1; j < rank; j++ {
		t := perm[j]
		split = append(split, shape[t])
		order = append(order, m+j)
		size := shape[t]
		if t <= m {
			order = append(order, t-1)
			size *= block[t-1]
			if c0, c1 := crops[2*(t-1)], crops[2*(t-1)+1]; c0 != 0 || c1 != 0 {
				starts, ends, axes = append(starts, c0), append(ends, size-c1), append(axes, j)
			}
		}
		merged = append(merged, size)
	}
	x, err := a.reshapeTo(v.Name, split)
	if err != nil {
		return err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return err
	}
	if x, err = a.reshapeTo(x, merged); err != nil {
		return err
	}
	if len(axes) > 0 {
		ins := []string{x}
		for _, vals := range [][]int{starts, ends, axes} {
			name, err := a.Int64s(vals...)
			if err != nil {
				return err
			}
			ins = append(ins, name)
		}
		if x, err = a.Op("Slice", ins, nil); err != nil {
			return err
		}
	}
	a.SetOutputValue(0, Value{Name: x, Perm: v.Perm})
	return nil
}

// reshapeTo reshapes x to known dims.
func (a arr) reshapeTo(x string, dims []int) (string, error) {
	s, err := a.Int64s(dims...)
	if err != nil {
		return "", err
	}
	return a.Op("Reshape", []string{x, s}, nil)
}

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
	is := a.In(0).Shape
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
	zero, err := tensor.FromFloat64s(a.Out(0).DType, tensor.Shape{1}, []float64{0})
	if err != nil {
		return a.Fail("%v", err)
	}
	e := a.emitter()
	// Row of each update in the [rows, cols] view of the output,
	// repeated over its columns.
	idx := e.op("Mul", nil, e.op("Reshape", nil, e.int64Input(0), e.ints(-1, nd)), e.ints(strides...))
	idx = e.op("ReduceSum", map[string]any{"keepdims": 1}, idx, e.ints(1))
	idx = e.op("Expand", nil, idx, e.ints(1, cols))
	upd := e.op("Reshape", nil, e.input(1), e.ints(-1, cols))
	zeros := e.op("ConstantOfShape", map[string]any{"value": zero}, e.ints(rows, cols))
	out := e.op("ScatterElements", map[string]any{"axis": 0, "reduction": "add"}, zeros, idx, upd)
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

// cumsum is ONNX CumSum with TensorFlow's exclusive and reverse flags; a
// static axis lets it run in the input's layout.
func (a arr) cumsum() error {
	attrs := map[string]any{}
	for _, f := range []string{"exclusive", "reverse"} {
		b, err := a.Attrs.Bool(f, false)
		if err != nil {
			return err
		}
		attrs[f] = boolInt(b)
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	dt := a.In(0).DType
	ct := dt
	if !slices.Contains(cumsumKernel, dt) {
		ct = tensor.Int64 // an integer type: see cumsumTypes
	}
	v := Value{}
	var ax string
	if a.In(1).Value != nil {
		axis, err := a.staticScalar(1)
		if err != nil {
			return err
		}
		if axis, err = a.normAxis(axis, rank); err != nil {
			return err
		}
		if v, err = a.Raw(0); err != nil {
			return err
		}
		if ax, err = a.scalarInt64(int64(axisIn(axis, rank, v.Perm))); err != nil {
			return err
		}
	} else {
		if v.Name, err = a.Input(0); err != nil {
			return err
		}
		if ax, err = a.Input(1); err != nil {
			return err
		}
	}
	x, err := a.castIf(v.Name, dt, ct)
	if err != nil {
		return err
	}
	out, err := a.Op("CumSum", []string{x, ax}, attrs)
	if err != nil {
		return err
	}
	if out, err = a.castIf(out, ct, dt); err != nil {
		return err
	}
	a.SetOutputValue(0, Value{Name: out, Perm: v.Perm})
	return nil
}
