package clusters

import (
	"github.com/tfoffload/tfoffload/tensor"
)

// Range.
func init() {
	register(Entry{TypeAttr: "Tidx", DTypes: rangeTypes, Translate: arrayOp(arr.rangeOp)}, "Range")
}

// rangeTypes are the dtypes of ONNX Runtime's CPU Range kernel that the
// translation uses.
var rangeTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}

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
