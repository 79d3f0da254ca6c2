package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Reductions, arg-extrema, top-k and cumulative sums. Reductions,
// arg-extrema and top-k work on a value in whatever layout it is stored:
// their axes are mapped through the layout, and the output keeps it (minus
// the reduced axes); so does Cumsum along a static axis.
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

	register(Entry{DTypes: cumsumTypes, Translate: arrayOp(arr.cumsum)}, "Cumsum")
}

var maxNative = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Int8, tensor.Uint8}

// The dtypes of ONNX Runtime's CPU kernels that the translations use.
var (
	// cumsumTypes: CumSum takes float, double, int32 and int64; other
	// integers sum in int64, which wraps to the same result modulo their
	// width. Half types would round differently from TensorFlow's
	// step-by-step rounding.
	cumsumTypes  = append([]tensor.DType{tensor.Float32, tensor.Float64}, intTypes...)
	cumsumKernel = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}
)

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
