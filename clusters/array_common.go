package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// The array translators are methods of arr: the shape and data-movement
// ops (array_*.go), and the gathers and scatters (gather.go), the moves
// between space, depth and batch (nn_spacebatch.go) and Cumsum
// (reduce.go), which are written the same way.
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

// reshapeTo reshapes x to known dims.
func (a arr) reshapeTo(x string, dims []int) (string, error) {
	s, err := a.Int64s(dims...)
	if err != nil {
		return "", err
	}
	return a.Op("Reshape", []string{x, s}, nil)
}

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
