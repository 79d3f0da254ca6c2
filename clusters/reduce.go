package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Reductions, softmax, arg-extrema, top-k and the float-only binary math
// ops (FloorMod, Atan2). All of them work on a value in whatever layout it
// is stored: their axes are mapped through the layout, and the output
// keeps it (minus the reduced axes).
func init() {
	// Reduction indices are static: they are mapped through the input's
	// layout at translation time and decide the output's layout.
	reduction := func(op string, k kernelTypes, kind reduceKind) {
		register(Entry{DTypes: k.dtypes(), Translate: func(c *Ctx) error { return c.reduce(kind, k) }}, op)
	}
	// ONNX Runtime's integer ReduceSum and ReduceProd saturate where
	// TensorFlow's wrap: integer sums are composed to wrap (intSum), and
	// integer products stay on the executor.
	floats := kernelTypes{native: []tensor.DType{tensor.Float32, tensor.Float64}}
	register(Entry{DTypes: realTypes, Translate: func(c *Ctx) error { return c.reduce(reduceSum, floats) }}, "Sum")
	reduction("Prod", floats, reduceProd)
	// ReduceMax/Min take double, float, int32, int64, int8 and uint8;
	// other integers widen exactly.
	reduction("Max", kernelTypes{native: maxNative, widen: widenExact}, reduceMax)
	reduction("Min", kernelTypes{native: maxNative, widen: widenExact}, reduceMin)
	// Mean is composed for everything but float and double (see mean).
	register(Entry{DTypes: realTypes, Translate: func(c *Ctx) error { return c.reduce(reduceMean, kernelTypes{}) }}, "Mean")
	register(Entry{DTypes: []tensor.DType{tensor.Bool}, Translate: func(c *Ctx) error { return c.reduce(reduceAll, kernelTypes{}) }}, "All")
	register(Entry{DTypes: []tensor.DType{tensor.Bool}, Translate: func(c *Ctx) error { return c.reduce(reduceAny, kernelTypes{}) }}, "Any")

	arg := kernelTypes{native: maxNative, widen: widenExact}
	register(Entry{DTypes: append(arg.dtypes(), tensor.Bool), Check: argCheck,
		Translate: func(c *Ctx) error { return c.argExtremum("ArgMax", arg) }}, "ArgMax")
	register(Entry{DTypes: append(arg.dtypes(), tensor.Bool), Check: argCheck,
		Translate: func(c *Ctx) error { return c.argExtremum("ArgMin", arg) }}, "ArgMin")

	// TopKV2's k stays a runtime input: ONNX TopK takes it as a tensor.
	topk := kernelTypes{native: []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}, widen: widenExact}
	register(Entry{DTypes: topk.dtypes(), Check: topKCheck, Translate: func(c *Ctx) error { return c.topK(topk, true) }}, "TopKV2")
	register(Entry{DTypes: topk.dtypes(), Check: topKCheck, Translate: func(c *Ctx) error { return c.topK(topk, false) }}, "TopK")

	soft := kernelTypes{native: []tensor.DType{tensor.Float32, tensor.Float64}}
	register(Entry{DTypes: soft.dtypes(), Translate: func(c *Ctx) error { return c.softmax("Softmax", soft) }}, "Softmax")
	register(Entry{DTypes: soft.dtypes(), Translate: func(c *Ctx) error { return c.softmax("LogSoftmax", soft) }}, "LogSoftmax")

	// Integer FloorMod stays on the executor: a zero divisor is an error
	// in TensorFlow and a crash in ONNX Runtime.

	// ONNX Runtime's Atan is float-only; a double Atan2 would lose
	// precision through float.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Translate: func(c *Ctx) error { return c.atan2() }}, "Atan2")
}

var (
	maxNative  = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Int8, tensor.Uint8}
	realTypes  = append(slices.Clone(floatTypes), intTypes...)
	halfFloats = []tensor.DType{tensor.Float16, tensor.BFloat16}
)

// kernelTypes describes the element types an ONNX Runtime kernel
// implements and how other TensorFlow types reach it: half and bfloat16
// are always computed in float (as TensorFlow's CPU kernels do); integers
// as the widening allows.
type kernelTypes struct {
	native []tensor.DType
	widen  widening
}

// widening says how integer types may reach a kernel's native types.
type widening int

const (
	// widenNone: integers only where native (arithmetic that rounds).
	widenNone widening = iota
	// widenExact: to any type holding every value exactly, float
	// included, for ops that only compare and move values.
	widenExact
)

var intWider = map[tensor.DType][]tensor.DType{
	tensor.Bool:   {tensor.Uint8, tensor.Int8, tensor.Int32, tensor.Int64},
	tensor.Int8:   {tensor.Int16, tensor.Int32, tensor.Int64},
	tensor.Uint8:  {tensor.Int16, tensor.Uint16, tensor.Int32, tensor.Uint32, tensor.Int64, tensor.Uint64},
	tensor.Int16:  {tensor.Int32, tensor.Int64},
	tensor.Uint16: {tensor.Int32, tensor.Uint32, tensor.Int64, tensor.Uint64},
	tensor.Int32:  {tensor.Int64},
	tensor.Uint32: {tensor.Int64, tensor.Uint64},
}

// floatExact lists the float types that hold every value of an integer
// type exactly.
var floatExact = map[tensor.DType][]tensor.DType{
	tensor.Int8: {tensor.Float32, tensor.Float64}, tensor.Uint8: {tensor.Float32, tensor.Float64},
	tensor.Int16: {tensor.Float32, tensor.Float64}, tensor.Uint16: {tensor.Float32, tensor.Float64},
	tensor.Int32: {tensor.Float64}, tensor.Uint32: {tensor.Float64},
}

// of returns the type dt is computed in, and false when there is none.
func (k kernelTypes) of(dt tensor.DType) (tensor.DType, bool) {
	if slices.Contains(k.native, dt) {
		return dt, true
	}
	var cands []tensor.DType
	switch {
	case slices.Contains(halfFloats, dt):
		cands = []tensor.DType{tensor.Float32}
	case k.widen == widenExact:
		cands = append(slices.Clone(intWider[dt]), floatExact[dt]...)
	}
	for _, t := range cands {
		if slices.Contains(k.native, t) {
			return t, true
		}
	}
	return tensor.Invalid, false
}

// dtypes returns the real types the kernel can compute.
func (k kernelTypes) dtypes() []tensor.DType { return k.dtypesOf(realTypes) }

// dtypesOf returns those of candidates the kernel can compute.
func (k kernelTypes) dtypesOf(candidates []tensor.DType) []tensor.DType {
	var out []tensor.DType
	for _, dt := range candidates {
		if _, ok := k.of(dt); ok {
			out = append(out, dt)
		}
	}
	return out
}

// cast converts name from one element type to another; no node when they
// are the same.
func (c *Ctx) cast(name string, from, to tensor.DType) (string, error) {
	if from == to {
		return name, nil
	}
	t, err := onnxElemType(to)
	if err != nil {
		return "", err
	}
	return c.Op("Cast", []string{name}, map[string]any{"to": int64(t)})
}

// computeIn returns input i's stored value converted to the type k
// computes its dtype in, and that type.
func (c *Ctx) computeIn(i int, k kernelTypes) (Value, tensor.DType, error) {
	v, err := c.Raw(i)
	if err != nil {
		return Value{}, tensor.Invalid, err
	}
	dt := c.In(i).DType
	ct, ok := k.of(dt)
	if !ok {
		return Value{}, tensor.Invalid, c.Fail("no ONNX kernel for %v", dt)
	}
	name, err := c.cast(v.Name, dt, ct)
	return Value{Name: name, Perm: v.Perm}, ct, err
}

// axesIn maps TensorFlow axes (possibly negative) of a rank-rank tensor to
// their positions in layout perm, sorted, and marks the TF axes they name.
func (c *Ctx) axesIn(axes []int, rank int, perm []int) ([]int, []bool, error) {
	marked := make([]bool, rank)
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		if a < -rank || a >= rank {
			return nil, nil, c.Fail("axis %d out of range for rank %d", a, rank)
		}
		tf := (a + rank) % rank
		if marked[tf] {
			return nil, nil, c.Fail("axis %d repeated", a)
		}
		marked[tf] = true
		out = append(out, axisIn(a, rank, perm))
	}
	slices.Sort(out)
	return out, marked, nil
}

// reducedLayout returns the layout of a value stored as perm once the TF
// axes marked in removed are dropped.
func reducedLayout(perm []int, removed []bool) []int {
	if perm == nil {
		return nil
	}
	renum := make([]int, len(removed))
	n := 0
	for a, r := range removed {
		if !r {
			renum[a] = n
			n++
		}
	}
	out := make([]int, 0, n)
	for _, p := range perm {
		if !removed[p] {
			out = append(out, renum[p])
		}
	}
	return out
}

type reduceKind int

const (
	reduceSum reduceKind = iota
	reduceProd
	reduceMax
	reduceMin
	reduceMean
	reduceAll
	reduceAny
)

var reduceOps = map[reduceKind]string{reduceSum: "ReduceSum", reduceProd: "ReduceProd", reduceMax: "ReduceMax",
	reduceMin: "ReduceMin", reduceAll: "ReduceMin", reduceAny: "ReduceMax"}

// reduce translates Sum, Prod, Max, Min, Mean, All and Any. An empty
// reduction_indices list reduces nothing (noop_with_empty_axes).
func (c *Ctx) reduce(kind reduceKind, k kernelTypes) error {
	axes, err := c.StaticInts(1)
	if err != nil {
		return err
	}
	keep, err := c.Attrs.Bool("keep_dims", false)
	if err != nil {
		return err
	}
	in := c.In(0)
	rank := in.Rank()
	if rank < 0 {
		return c.Fail("input of unknown rank")
	}
	if tensor.Shape(in.Shape).NumElements() == 0 {
		// TensorFlow fills the output with the reduction's identity (NaN
		// for a float Mean); ONNX Runtime's need not agree, and an
		// integer Mean would divide by zero.
		return c.Fail("reduction of an empty tensor")
	}
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	onnxAxes, reduced, err := c.axesIn(axes, rank, v.Perm)
	if err != nil {
		return err
	}
	count := 1
	for a, r := range reduced {
		if r {
			count *= in.Shape[a]
		}
	}
	ax, err := c.Int64s(onnxAxes...)
	if err != nil {
		return err
	}
	attrs := map[string]any{"keepdims": boolInt(keep), "noop_with_empty_axes": 1}
	var out string
	switch kind {
	case reduceMean:
		out, err = c.mean(v.Name, in.DType, ax, count, attrs)
	case reduceSum:
		if !in.DType.IsInteger() {
			out, err = c.floatReduce("ReduceSum", k, ax, attrs)
			break
		}
		if out, err = c.intSum(v.Name, in.DType, ax, count, attrs); err == nil {
			out, err = c.cast(out, tensor.Int64, in.DType)
		}
	case reduceAll, reduceAny:
		var x string
		if x, err = c.cast(v.Name, tensor.Bool, tensor.Uint8); err == nil {
			if x, err = c.Op(reduceOps[kind], []string{x, ax}, attrs); err == nil {
				out, err = c.cast(x, tensor.Uint8, tensor.Bool)
			}
		}
	case reduceMax, reduceMin:
		out, err = c.extremum(reduceOps[kind], k, ax, attrs)
	default:
		out, err = c.floatReduce(reduceOps[kind], k, ax, attrs)
	}
	if err != nil {
		return err
	}
	perm := v.Perm
	if !keep {
		perm = reducedLayout(v.Perm, reduced)
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// floatReduce applies an ONNX reduction to input 0 in the type k
// computes it in, and converts the result back.
func (c *Ctx) floatReduce(op string, k kernelTypes, axes string, attrs map[string]any) (string, error) {
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return "", err
	}
	r, err := c.Op(op, []string{x.Name, axes}, attrs)
	if err != nil {
		return "", err
	}
	return c.cast(r, ct, c.In(0).DType)
}

// extremum applies ReduceMax or ReduceMin to input 0. A NaN makes the
// result NaN, as in TensorFlow; ONNX Runtime would skip some.
func (c *Ctx) extremum(op string, k kernelTypes, axes string, attrs map[string]any) (string, error) {
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return "", err
	}
	f := &formula{c: c, dt: ct}
	r := f.op(op, attrs, x.Name, axes)
	if ct.IsFloat() {
		nan := f.cast(f.op("IsNaN", nil, x.Name), tensor.Bool, tensor.Uint8)
		anyNaN := f.cast(f.op("ReduceMax", attrs, nan, axes), tensor.Uint8, tensor.Bool)
		r = f.op("Where", nil, anyNaN, f.scalar(math.NaN()), r)
	}
	if f.err != nil {
		return "", f.err
	}
	return c.cast(r, ct, c.In(0).DType)
}

// intSum returns the int64 sum of an integer tensor, wrapping as
// TensorFlow's sums do, though ONNX Runtime's integer ReduceSum
// saturates: narrower types are summed in int64, where count values
// cannot overflow; int64 and uint64 as the sums of their low and high
// 32-bit halves, recombined in wrapping uint64 arithmetic.
func (c *Ctx) intSum(x string, dt tensor.DType, axes string, count int, attrs map[string]any) (string, error) {
	if count >= 1<<31 {
		return "", c.Fail("sum of %d integers", count)
	}
	if dt != tensor.Int64 && dt != tensor.Uint64 {
		x, err := c.cast(x, dt, tensor.Int64)
		if err != nil {
			return "", err
		}
		return c.Op("ReduceSum", []string{x, axes}, attrs)
	}
	f := &formula{c: c, dt: tensor.Uint64}
	u, err := c.cast(x, dt, tensor.Uint64)
	if err != nil {
		return "", err
	}
	shift, mask := f.scalar(32), f.scalar(1<<32-1)
	half := func(h string) string {
		return f.cast(f.op("ReduceSum", attrs, f.cast(h, tensor.Uint64, tensor.Int64), axes), tensor.Int64, tensor.Uint64)
	}
	lo := half(f.op("BitwiseAnd", nil, u, mask))
	hi := half(f.op("BitShift", map[string]any{"direction": "RIGHT"}, u, shift))
	sum := f.op("Add", nil, f.op("BitShift", map[string]any{"direction": "LEFT"}, hi, shift), lo)
	if f.err != nil {
		return "", f.err
	}
	return c.cast(sum, tensor.Uint64, tensor.Int64)
}

// mean computes Mean as TensorFlow does: float and double with
// ReduceMean; half and bfloat16 as a float sum divided by the count
// rounded to the input type; integers as a wrapping int64 sum divided
// (truncating) by the count, then narrowed.
func (c *Ctx) mean(x string, dt tensor.DType, axes string, count int, attrs map[string]any) (string, error) {
	if dt == tensor.Float32 || dt == tensor.Float64 {
		return c.Op("ReduceMean", []string{x, axes}, attrs)
	}
	if dt.IsInteger() {
		// Unsigned sums divide as unsigned, as TensorFlow's do.
		st := tensor.Int64
		if dt.IsUnsigned() {
			st = tensor.Uint64
		}
		sum, err := c.intSum(x, dt, axes, count, attrs)
		if err != nil {
			return "", err
		}
		if sum, err = c.cast(sum, tensor.Int64, st); err != nil {
			return "", err
		}
		n, err := c.Scalar(st, float64(count))
		if err != nil {
			return "", err
		}
		q, err := c.Op("Div", []string{sum, n}, nil)
		if err != nil {
			return "", err
		}
		return c.cast(q, st, dt)
	}
	n := tensor.NewF16(float32(count)).Float32()
	if dt == tensor.BFloat16 {
		n = tensor.NewBF16(float32(count)).Float32()
	}
	x, err := c.cast(x, dt, tensor.Float32)
	if err != nil {
		return "", err
	}
	sum, err := c.Op("ReduceSum", []string{x, axes}, attrs)
	if err != nil {
		return "", err
	}
	div, err := c.Scalar(tensor.Float32, float64(n))
	if err != nil {
		return "", err
	}
	q, err := c.Op("Div", []string{sum, div}, nil)
	if err != nil {
		return "", err
	}
	return c.cast(q, tensor.Float32, dt)
}

func argCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	ot, err := a.Type("output_type", tensor.Int64)
	if err != nil {
		return err
	}
	if !slices.Contains([]tensor.DType{tensor.Int64, tensor.Int32, tensor.Int16, tensor.Uint16}, ot) {
		return untranslatable("output_type %v", ot)
	}
	return nil
}

// argExtremum translates ArgMax and ArgMin: ONNX picks the first of equal
// extrema (select_last_index=0) as TensorFlow does. The index is int64 in
// ONNX and cast to output_type.
func (c *Ctx) argExtremum(op string, k kernelTypes) error {
	axes, err := c.StaticInts(1)
	if err != nil {
		return err
	}
	if len(axes) != 1 {
		return c.Fail("dimension must be a scalar")
	}
	ot, err := c.Attrs.Type("output_type", tensor.Int64)
	if err != nil {
		return err
	}
	rank := c.In(0).Rank()
	if rank < 1 {
		return c.Fail("input of rank %d", rank)
	}
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return err
	}
	ax, removed, err := c.axesIn(axes, rank, x.Perm)
	if err != nil {
		return err
	}
	if d := c.In(0).Shape[(axes[0]+rank)%rank]; d == 0 {
		return c.Fail("reduction axis is empty")
	}
	if ct.IsFloat() {
		// TensorFlow starts from the lowest finite value and takes only
		// strictly larger elements: NaN, -inf and the lowest finite value
		// itself never win, and a row of them gives 0. Making them -inf
		// (+inf for ArgMin) gives ONNX's first-extremum rule the same
		// answer.
		f := &formula{c: c, dt: ct}
		limit, cmp, worst := -math.MaxFloat32, "Greater", math.Inf(-1)
		if ct == tensor.Float64 {
			limit = -math.MaxFloat64
		}
		if op == "ArgMin" {
			limit, cmp, worst = -limit, "Less", math.Inf(1)
		}
		x.Name = f.op("Where", nil, f.op(cmp, nil, x.Name, f.scalar(limit)), x.Name, f.scalar(worst))
		if f.err != nil {
			return f.err
		}
	}
	idx, err := c.Op(op, []string{x.Name}, map[string]any{"axis": ax[0], "keepdims": 0, "select_last_index": 0})
	if err != nil {
		return err
	}
	if idx, err = c.cast(idx, tensor.Int64, ot); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: idx, Perm: reducedLayout(x.Perm, removed)})
	return nil
}

// topKCheck keeps sorted=false on the executor: ONNX's unsorted order is
// unspecified, TensorFlow's is its own.
func topKCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	sorted, err := a.Bool("sorted", true)
	if err != nil {
		return err
	}
	if !sorted {
		return untranslatable("sorted=false")
	}
	it, err := a.Type("index_type", tensor.Int32)
	if err != nil {
		return err
	}
	if !slices.Contains([]tensor.DType{tensor.Int16, tensor.Int32, tensor.Int64}, it) {
		return untranslatable("index_type %v", it)
	}
	return nil
}

// topK translates TopKV2 (k an input) and TopK (k an attribute) along the
// last TF axis. ONNX TopK with largest and sorted orders equal values by
// lower index first, as TensorFlow does.
func (c *Ctx) topK(k kernelTypes, v2 bool) error {
	rank := c.In(0).Rank()
	if rank < 1 {
		return c.Fail("input of rank %d", rank)
	}
	var kName string
	var err error
	switch {
	case !v2:
		var kv int64
		if kv, err = c.Attrs.Int("k", -1); err != nil {
			return err
		}
		kName, err = c.Int64s(int(kv))
	case c.In(1).Value != nil:
		var kv []int
		if kv, err = c.StaticInts(1); err != nil {
			return err
		}
		if len(kv) != 1 {
			return c.Fail("k must be a scalar")
		}
		kName, err = c.Int64s(kv[0])
	default:
		if kName, err = c.Input(1); err != nil {
			return err
		}
		if kName, err = c.cast(kName, c.In(1).DType, tensor.Int64); err != nil {
			return err
		}
		var one string
		if one, err = c.Int64s(1); err != nil {
			return err
		}
		kName, err = c.Op("Reshape", []string{kName, one}, nil)
	}
	if err != nil {
		return err
	}
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return err
	}
	it, err := c.Attrs.Type("index_type", tensor.Int32)
	if err != nil {
		return err
	}
	outs, err := c.OpN("TopK", []string{x.Name, kName}, 2, map[string]any{"axis": axisIn(-1, rank, x.Perm), "largest": 1, "sorted": 1})
	if err != nil {
		return err
	}
	vals, err := c.cast(outs[0], ct, c.In(0).DType)
	if err != nil {
		return err
	}
	idx, err := c.cast(outs[1], tensor.Int64, it)
	if err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: vals, Perm: x.Perm})
	c.SetOutputValue(1, Value{Name: idx, Perm: x.Perm})
	return nil
}

// softmax translates Softmax and LogSoftmax over the last TF axis.
func (c *Ctx) softmax(op string, k kernelTypes) error {
	rank := c.In(0).Rank()
	if rank < 1 {
		return c.Fail("input of rank %d", rank)
	}
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return err
	}
	out, err := c.Op(op, []string{x.Name}, map[string]any{"axis": axisIn(-1, rank, x.Perm)})
	if err != nil {
		return err
	}
	if out, err = c.cast(out, ct, c.In(0).DType); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: x.Perm})
	return nil
}

// binaryFloat returns inputs 0 and 1 in a shared layout, broadcast as
// TensorFlow does and converted to float (half, bfloat16) or kept
// (float, double), with that type.
func (c *Ctx) binaryFloat() (x, y string, perm []int, ct tensor.DType, err error) {
	outRank := c.Out(0).Rank()
	perm = c.layoutOf(outRank, 0, 1)
	dt := c.In(0).DType
	ct = dt
	if slices.Contains(halfFloats, dt) {
		ct = tensor.Float32
	}
	var names [2]string
	for i := range names {
		if names[i], err = c.aligned(i, perm, outRank); err != nil {
			return
		}
		if names[i], err = c.cast(names[i], dt, ct); err != nil {
			return
		}
	}
	return names[0], names[1], perm, ct, nil
}

// formula emits ops that read as expressions: the first error sticks
// and later calls do nothing.
type formula struct {
	c   *Ctx
	dt  tensor.DType // the type of scalars
	err error
}

func (f *formula) op(name string, attrs map[string]any, in ...string) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.Op(name, in, attrs)
	f.err = err
	return out
}

func (f *formula) cast(name string, from, to tensor.DType) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.cast(name, from, to)
	f.err = err
	return out
}

func (f *formula) scalar(v float64) string {
	if f.err != nil {
		return ""
	}
	out, err := f.c.Scalar(f.dt, v)
	f.err = err
	return out
}

// floorMod computes TensorFlow's float FloorMod: r = fmod(x, y), plus y
// when r is non-zero and its sign differs from y's. A zero r keeps its
// sign (x's): it is Where's third input, which ONNX Runtime passes
// through unchanged, and r + y is never zero.
func (c *Ctx) floorMod() error {
	x, y, perm, ct, err := c.binaryFloat()
	if err != nil {
		return err
	}
	f := &formula{c: c, dt: ct}
	zero := f.scalar(0)
	r := f.op("Mod", map[string]any{"fmod": 1}, x, y)
	nonZero := f.op("Not", nil, f.op("Equal", nil, r, zero))
	signsDiffer := f.op("Xor", nil, f.op("Less", nil, y, zero), f.op("Less", nil, r, zero))
	out := f.op("Where", nil, f.op("And", nil, nonZero, signsDiffer), f.op("Add", nil, r, y), r)
	if f.err != nil {
		return f.err
	}
	if out, err = c.cast(out, ct, c.In(0).DType); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// atan2 composes Atan2(y, x) exactly as C's atan2, signed zeros and
// infinities included. The result has y's sign, and its magnitude is
// atan2(|y|, x): atan(|y|/x), plus π where x's sign bit is set (x < 0 or
// x = −0). Where |y|/x is 0/0 it is taken as 0, and where it is ∞/∞ as
// sign(x) (atan ±1 = ±π/4). Sign bits are read as v < 0 or 1/v < 0. The
// sign goes on last, by multiplication: ONNX Runtime's Where turns a −0
// taken from its second input into +0.
func (c *Ctx) atan2() error {
	y, x, perm, ct, err := c.binaryFloat()
	if err != nil {
		return err
	}
	f := &formula{c: c, dt: ct}
	zero := f.scalar(0)
	signBit := func(v string) string {
		return f.op("Or", nil, f.op("Less", nil, v, zero), f.op("Less", nil, f.op("Reciprocal", nil, v), zero))
	}
	ay := f.op("Abs", nil, y)
	ratio := f.op("Div", nil, ay, x)
	bothInf := f.op("And", nil, f.op("IsInf", nil, x), f.op("IsInf", nil, y))
	ratio = f.op("Where", nil, bothInf, f.op("Sign", nil, x), ratio)
	bothZero := f.op("And", nil, f.op("Equal", nil, x, zero), f.op("Equal", nil, y, zero))
	ratio = f.op("Where", nil, bothZero, zero, ratio)
	a := f.op("Atan", nil, ratio)
	mag := f.op("Abs", nil, f.op("Where", nil, signBit(x), f.op("Add", nil, a, f.scalar(math.Pi)), a))
	out := f.op("Mul", nil, mag, f.op("Where", nil, signBit(y), f.scalar(-1), f.scalar(1)))
	if f.err != nil {
		return f.err
	}
	if out, err = c.cast(out, ct, c.In(0).DType); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}
