package conv

import (
	"fmt"
	"math"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// actKind is a fused activation.
type actKind int

const (
	actNone actKind = iota
	actRelu
	actRelu6
	actElu
	actLeakyRelu
	actPrelu
	actSigmoid
	actTanh
	actGeluExact
	actGeluApproximate
)

var activations = map[string]actKind{
	"Relu":            actRelu,
	"Relu6":           actRelu6,
	"Elu":             actElu,
	"LeakyRelu":       actLeakyRelu,
	"Prelu":           actPrelu,
	"Sigmoid":         actSigmoid,
	"Tanh":            actTanh,
	"GeluExact":       actGeluExact,
	"GeluApproximate": actGeluApproximate,
}

// fusion is a parsed fused_ops list: a BiasAdd or FusedBatchNorm, an
// optional Add of a side input (after BiasAdd only), and an optional
// activation, applied in that order to the product or convolution.
type fusion struct {
	batchNorm bool // FusedBatchNorm instead of BiasAdd
	add       bool
	act       actKind
	numArgs   int
	epsilon   float32
	alpha     float32 // LeakyRelu
}

// parseFusion validates the fused_ops, num_args, epsilon and
// leakyrelu_alpha attributes of a fused op, as TensorFlow's
// InitializeFusedComputation does at kernel construction.
func parseFusion(n *kernel.Node, base string) (*fusion, error) {
	ops, err := n.Attrs.Strings("fused_ops", nil)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("attribute fused_ops: fused %s must have at least one fused op", base)
	}
	numArgs, err := n.Attrs.Int("num_args", 0)
	if err != nil {
		return nil, err
	}
	f := &fusion{numArgs: int(numArgs)}
	if f.epsilon, err = n.Attrs.Float("epsilon", 1e-4); err != nil {
		return nil, err
	}
	if f.alpha, err = n.Attrs.Float("leakyrelu_alpha", 0.2); err != nil {
		return nil, err
	}
	unimplemented := kernel.Unsupported("attribute fused_ops: fusion [%s]", strings.Join(ops, ","))
	rest := ops[1:]
	switch ops[0] {
	case "BiasAdd":
		if len(rest) > 0 && rest[0] == "Add" {
			f.add = true
			rest = rest[1:]
		}
	case "FusedBatchNorm":
		f.batchNorm = true
	default:
		return nil, unimplemented
	}
	if len(rest) > 1 {
		return nil, unimplemented
	}
	if len(rest) == 1 {
		act, ok := activations[rest[0]]
		if !ok {
			return nil, unimplemented
		}
		f.act = act
	}
	want := 1
	what := "one extra argument: bias"
	switch {
	case f.batchNorm:
		want, what = 4, "four extra arguments: scale, offset, mean, variance"
	case f.add:
		want, what = 2, "two extra arguments: bias and the addend"
	}
	if f.act == actPrelu {
		want++
		what += ", then the Prelu alpha"
	}
	if f.numArgs != want {
		return nil, fmt.Errorf("attribute num_args: fused %s with [%s] must have %s (num_args %d), got %d",
			base, strings.Join(ops, ","), what, want, f.numArgs)
	}
	return f, nil
}

// epilogue applies a fusion to finished blocks of a channels-last output
// matrix: row i, channel j is out[i·ldc + j]. Per-channel operands are
// indexed by j; side inputs expanded to the output are laid out like it.
type epilogue[T float] struct {
	out []T
	ldc int

	bias           []T // BiasAdd
	factor, offset []T // FusedBatchNorm: (x − mean)·factor + offset
	mean           []T
	addend         []T // Add, laid out like out
	act            actKind
	alpha          T
	preluCh        []T // Prelu alpha per channel, or
	preluFull      []T // expanded like out
}

// outLayout says how the kernel's output matrix relates to the op's
// output tensor: the tensor's shape, and whether the matrix is its NCHW
// data transposed to channels-last (so side inputs need the same
// transposition).
type outLayout struct {
	shape tensor.Shape
	nchw  bool
}

// channels returns the number of output channels.
func (l outLayout) channels() int {
	if l.nchw {
		return l.shape[1]
	}
	return l.shape[len(l.shape)-1]
}

// newEpilogue prepares the fusion's operands (the op's inputs after its
// two data inputs) for an output of layout l held in out.
func newEpilogue[T float](f *fusion, args []*tensor.Tensor, l outLayout, out []T) (*epilogue[T], error) {
	ch := l.channels()
	e := &epilogue[T]{out: out, ldc: ch, act: f.act, alpha: T(f.alpha)}
	perChannel := func(t *tensor.Tensor, name string) ([]T, error) {
		if t.Rank() != 1 {
			return nil, fmt.Errorf("%s must be 1-dimensional, got shape %v", name, t.Shape())
		}
		if t.Shape()[0] != ch {
			return nil, fmt.Errorf("%s size %d must equal the output depth %d", name, t.Shape()[0], ch)
		}
		return floats[T](t)
	}
	var err error
	if f.batchNorm {
		var scale, variance []T
		names := []string{"scale", "offset", "estimated_mean", "estimated_variance"}
		vals := make([][]T, 4)
		for i, name := range names {
			if vals[i], err = perChannel(args[i], name); err != nil {
				return nil, err
			}
		}
		scale, e.offset, e.mean, variance = vals[0], vals[1], vals[2], vals[3]
		e.factor = make([]T, ch)
		eps := T(f.epsilon)
		for j := range e.factor {
			e.factor[j] = rsqrt(variance[j]+eps) * scale[j]
		}
		args = args[4:]
	} else {
		if e.bias, err = perChannel(args[0], "bias"); err != nil {
			return nil, err
		}
		args = args[1:]
	}
	if f.add {
		if e.addend, _, err = expandLike[T](args[0], l, false); err != nil {
			return nil, fmt.Errorf("Add side input: %w", err)
		}
		args = args[1:]
	}
	if f.act == actPrelu {
		if e.preluFull, e.preluCh, err = expandLike[T](args[0], l, true); err != nil {
			return nil, fmt.Errorf("Prelu alpha: %w", err)
		}
	}
	return e, nil
}

func rsqrt[T float](x T) T { return T(1 / math.Sqrt(float64(x))) }

// expandLike broadcasts a side input to the output, returning it laid out
// like the kernel's channels-last output matrix. When perChannelOK is set
// and the input varies only along the channel dimension, it is returned
// as one value per channel instead.
func expandLike[T float](t *tensor.Tensor, l outLayout, perChannelOK bool) (full, perCh []T, err error) {
	bs, err := tensor.BroadcastShapes(t.Shape(), l.shape)
	if err != nil || !bs.Equal(l.shape) {
		return nil, nil, fmt.Errorf("shape %v does not broadcast to the output shape %v", t.Shape(), l.shape)
	}
	vals, err := floats[T](t)
	if err != nil {
		return nil, nil, err
	}
	rank := len(l.shape)
	chAxis := rank - 1
	if l.nchw {
		chAxis = 1
	}
	if perChannelOK {
		// Varies only along the channel axis: every other dimension of the
		// input, right-aligned against the output, is 1.
		onlyChannel := true
		off := rank - t.Rank()
		for i, d := range t.Shape() {
			if off+i != chAxis && d != 1 {
				onlyChannel = false
			}
		}
		if onlyChannel {
			ch := l.channels()
			perCh = make([]T, ch)
			if t.NumElements() == 1 {
				for j := range perCh {
					perCh[j] = vals[0]
				}
			} else {
				copy(perCh, vals)
			}
			return nil, perCh, nil
		}
	}
	if t.Shape().Equal(l.shape) {
		full = vals
	} else {
		if err := tensor.CheckAlloc(tensor.Int64, l.shape); err != nil {
			return nil, nil, err
		}
		idx := kernel.BroadcastIndex(t.Shape(), l.shape)
		full = make([]T, len(idx))
		for i, j := range idx {
			full[i] = vals[j]
		}
	}
	if l.nchw {
		s := l.shape
		full = nchwToNHWC(full, s[0], s[1], s[2], s[3])
	}
	return full, nil, nil
}

// apply post-processes rows [i0, i1) × channels [j0, j1) of the output.
func (e *epilogue[T]) apply(i0, i1, j0, j1 int) {
	if e32, ok := any(e).(*epilogue[float32]); ok {
		applyFloat32(e32, i0, i1, j0, j1)
		return
	}
	for i := i0; i < i1; i++ {
		base := i*e.ldc + j0
		row := e.out[base : base+j1-j0]
		if e.bias != nil {
			b := e.bias[j0:j1]
			for j := range row {
				row[j] += b[j]
			}
		} else {
			f, o, m := e.factor[j0:j1], e.offset[j0:j1], e.mean[j0:j1]
			for j, x := range row {
				row[j] = T((x-m[j])*f[j]) + o[j]
			}
		}
		if e.addend != nil {
			a := e.addend[base : base+len(row)]
			for j := range row {
				row[j] += a[j]
			}
		}
		e.activateRow(row, base, j0, j1)
	}
}

// applyFloat32 is apply for float32, on the vector kernels.
func applyFloat32(e32 *epilogue[float32], i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		base := i*e32.ldc + j0
		row := e32.out[base : base+j1-j0]
		if e32.bias != nil {
			vec.add(row, e32.bias[j0:j1])
		} else {
			vec.bn(row, e32.mean[j0:j1], e32.factor[j0:j1], e32.offset[j0:j1])
		}
		if e32.addend != nil {
			vec.add(row, e32.addend[base:base+len(row)])
		}
		switch e32.act {
		case actRelu:
			vec.clamp(row, 0, float32(math.Inf(1)))
		case actRelu6:
			vec.clamp(row, 0, 6)
		default:
			e32.activateRow(row, base, j0, j1)
		}
	}
}

// activateRow applies the activation to one row of the output.
func (e *epilogue[T]) activateRow(row []T, base, j0, j1 int) {
	if e.act == actPrelu {
		if e.preluCh != nil {
			prelu(row, e.preluCh[j0:j1])
		} else {
			prelu(row, e.preluFull[base:base+len(row)])
		}
		return
	}
	activate(row, e.act, e.alpha)
}

// prelu applies x < 0 ? alpha·x : x, TensorFlow.js's Prelu.
func prelu[T float](row, alpha []T) {
	for j, x := range row {
		if x < 0 {
			row[j] = alpha[j] * x
		}
	}
}

// activate applies an activation in place. float32 uses the scalar
// functions the standalone activation kernels use, so fused and unfused
// graphs agree bit for bit; float64 evaluates the same formulas in double.
func activate[T float](row []T, act actKind, alpha T) {
	switch act {
	case actNone:
	case actRelu:
		for j, x := range row {
			if x < 0 {
				row[j] = 0
			}
		}
	case actRelu6:
		for j, x := range row {
			if x < 0 {
				row[j] = 0
			} else if x > 6 {
				row[j] = 6
			}
		}
	case actLeakyRelu:
		for j, x := range row {
			if !(x > 0) {
				row[j] = alpha * x
			}
		}
	default:
		if r32, ok := any(row).([]float32); ok {
			f := scalar32(act)
			for j, x := range r32 {
				r32[j] = f(x)
			}
			return
		}
		r64 := any(row).([]float64)
		for j, x := range r64 {
			r64[j] = scalar64(act, x)
		}
	}
}

func scalar32(act actKind) func(float32) float32 {
	switch act {
	case actElu:
		return kernel.Elu
	case actSigmoid:
		return kernel.Sigmoid
	case actTanh:
		return func(x float32) float32 { return float32(math.Tanh(float64(x))) }
	case actGeluExact:
		return kernel.GeluExact
	case actGeluApproximate:
		return kernel.GeluApproximate
	}
	panic("conv: no scalar activation")
}

func scalar64(act actKind, x float64) float64 {
	switch act {
	case actElu:
		if x < 0 {
			return math.Expm1(x)
		}
		return x
	case actSigmoid:
		if x >= 0 {
			return 1 / (1 + math.Exp(-x))
		}
		e := math.Exp(x)
		return e / (1 + e)
	case actTanh:
		return math.Tanh(x)
	case actGeluExact:
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case actGeluApproximate:
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	panic("conv: no scalar activation")
}
