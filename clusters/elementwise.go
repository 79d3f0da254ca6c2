package clusters

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Dtype sets of the elementwise translators, each the types ONNX Runtime's
// CPU provider implements the emitted op for (bfloat16 runs in float32,
// see computeType), as TestElementwiseTranslatorsEveryDType checks.
var (
	// singleFloats: ops without a double kernel.
	singleFloats = []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}
	// wideFloats: ops TensorFlow computes step by step in half precision,
	// which a single rounding on ONNX Runtime would not reproduce.
	wideFloats = []tensor.DType{tensor.Float32, tensor.Float64}
	// noHalf: ops without a float16 kernel.
	noHalf = []tensor.DType{tensor.Float32, tensor.Float64, tensor.BFloat16}
	// selectTypes: the value types of ONNX Runtime's Where, for Select.
	selectTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.String}
	// minMaxTypes: Max and Min have no 16-bit integer kernels.
	minMaxTypes = append(slices.Clone(floatTypes), tensor.Int8, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.Uint32, tensor.Uint64)
)

// Elementwise math, activations, comparisons, logic and casts.
func init() {
	binary := func(onnx string, dtypes []tensor.DType, ops ...string) {
		register(Entry{DTypes: dtypes, Translate: func(c *Ctx) error { return c.Elementwise(onnx, nil) }}, ops...)
	}
	binary("Add", numericTypes, "Add", "AddV2")
	binary("Sub", numericTypes, "Sub")
	binary("Mul", numericTypes, "Mul")
	binary("Div", floatTypes, "RealDiv")
	binary("Max", minMaxTypes, "Maximum")
	binary("Min", minMaxTypes, "Minimum")
	binary("Pow", floatTypes, "Pow")
	binary("Sum", floatTypes, "AddN", "AccumulateNV2")
	register(Entry{DTypes: append(slices.Clone(numericTypes), tensor.Bool), Check: noIncompatibleShapeError,
		Translate: func(c *Ctx) error { return c.Elementwise("Equal", nil) }}, "Equal")
	binary("Less", numericTypes, "Less")
	binary("LessOrEqual", numericTypes, "LessEqual")
	binary("Greater", numericTypes, "Greater")
	binary("GreaterOrEqual", numericTypes, "GreaterEqual")
	binary("And", nil, "LogicalAnd")
	binary("Or", nil, "LogicalOr")
	register(Entry{DTypes: append(slices.Clone(numericTypes), tensor.Bool), Check: noIncompatibleShapeError,
		Translate: func(c *Ctx) error { return c.elementwiseOut("Equal", nil, []int{0, 1}, Step{Op: "Not"}) }}, "NotEqual")
	register(Entry{DTypes: floatTypes, Translate: func(c *Ctx) error {
		return c.elementwiseOut("Sub", nil, []int{0, 1}, Step{Op: "Mul", Extra: []string{Self}})
	}}, "SquaredDifference")

	// Select and SelectV2 pick elementwise; Select's rank-1 condition
	// selecting rows has no ONNX form.
	register(Entry{DTypes: selectTypes, Translate: func(c *Ctx) error { return c.Elementwise("Where", nil) }}, "SelectV2")
	register(Entry{DTypes: selectTypes, Translate: func(c *Ctx) error {
		if c.In(0).Rank() != c.In(1).Rank() && c.In(0).Rank() != 0 {
			return c.Fail("Select with a condition of rank %d for values of rank %d", c.In(0).Rank(), c.In(1).Rank())
		}
		return c.Elementwise("Where", nil)
	}}, "Select")
	// ClipByValue's bounds may be tensors; ONNX Clip takes scalars only.
	register(Entry{DTypes: minMaxTypes, Translate: func(c *Ctx) error {
		hi, err := c.aligned(2, c.layoutOf(c.Out(0).Rank(), 0, 1), c.Out(0).Rank())
		if err != nil {
			return err
		}
		if hi, err = c.widen(hi, c.In(2).DType); err != nil {
			return err
		}
		return c.elementwiseOut("Max", nil, []int{0, 1}, Step{Op: "Min", Extra: []string{hi}})
	}}, "ClipByValue")

	unary := func(onnx string, dtypes []tensor.DType, ops ...string) {
		register(Entry{DTypes: dtypes, Translate: func(c *Ctx) error { return c.Unary(onnx, nil) }}, ops...)
	}
	unary("Neg", append(slices.Clone(floatTypes), signedInts...), "Neg")
	unary("Abs", append(slices.Clone(floatTypes), signedInts...), "Abs")
	unary("Sign", append(slices.Clone(floatTypes), signedInts...), "Sign")
	unary("Exp", floatTypes, "Exp")
	unary("Log", floatTypes, "Log")
	unary("Sqrt", floatTypes, "Sqrt")
	unary("Reciprocal", floatTypes, "Reciprocal", "Inv")
	unary("Floor", floatTypes, "Floor")
	unary("Ceil", floatTypes, "Ceil")
	unary("Round", floatTypes, "Round", "Rint") // both round half to even
	unary("Erf", singleFloats, "Erf")
	unary("Sin", floatTypes, "Sin")
	unary("Cos", floatTypes, "Cos")
	unary("Tan", singleFloats, "Tan")
	unary("Asin", singleFloats, "Asin")
	unary("Acos", singleFloats, "Acos")
	unary("Atan", singleFloats, "Atan")
	unary("Sinh", singleFloats, "Sinh")
	unary("Cosh", singleFloats, "Cosh")
	unary("Asinh", singleFloats, "Asinh")
	unary("Acosh", singleFloats, "Acosh")
	unary("Atanh", singleFloats, "Atanh")
	unary("Tanh", floatTypes, "Tanh")
	unary("Sigmoid", floatTypes, "Sigmoid")
	unary("Relu", append(slices.Clone(floatTypes), tensor.Int8, tensor.Int32, tensor.Int64), "Relu")
	unary("Elu", wideFloats, "Elu")
	unary("Softplus", wideFloats, "Softplus")
	unary("Softsign", floatTypes, "Softsign")
	unary("Not", nil, "LogicalNot")
	unary("IsNaN", floatTypes, "IsNan")
	unary("IsInf", noHalf, "IsInf")
	// SELU: ONNX's default alpha and gamma are TensorFlow's constants, but
	// spell them out: defaults are where ONNX and TensorFlow part ways.
	register(Entry{DTypes: wideFloats, Translate: func(c *Ctx) error {
		return c.Unary("Selu", map[string]any{"alpha": float32(1.6732632423543772848170429916717), "gamma": float32(1.0507009873554804934193349852946)})
	}}, "Selu")
	register(Entry{DTypes: floatTypes, Translate: func(c *Ctx) error {
		alpha, err := c.Attrs.Float("alpha", 0.2)
		if err != nil {
			return err
		}
		return c.Unary("LeakyRelu", map[string]any{"alpha": alpha})
	}}, "LeakyRelu")
	// TensorFlow.js's Prelu is ONNX's PRelu, whose slope broadcasts
	// towards x only: an alpha larger than x does not translate.
	register(Entry{DTypes: wideFloats, Translate: func(c *Ctx) error {
		if c.In(1).Rank() > c.In(0).Rank() || c.In(1).Shape == nil {
			return c.Fail("alpha of rank %d is broadcast beyond x of rank %d", c.In(1).Rank(), c.In(0).Rank())
		}
		return c.Elementwise("PRelu", nil)
	}}, "Prelu")
	register(Entry{DTypes: floatTypes, Translate: func(c *Ctx) error {
		lo, hi, err := c.clipBounds(computeType(c.In(0).DType))
		if err != nil {
			return err
		}
		return c.unaryChain(Step{Op: "Clip", Extra: []string{lo, hi}})
	}}, "Relu6")
	register(Entry{DTypes: floatTypes, Translate: func(c *Ctx) error { return c.unaryChain(Step{Op: "Sqrt"}, Step{Op: "Reciprocal"}) }}, "Rsqrt")
	register(Entry{DTypes: numericTypes, Translate: func(c *Ctx) error { return c.unaryChain(Step{Op: "Mul", Extra: []string{Self}}) }}, "Square")
	register(Entry{DTypes: noHalf, Translate: func(c *Ctx) error {
		v, err := c.Raw(0)
		if err != nil {
			return err
		}
		x, err := c.widen(v.Name, c.In(0).DType)
		if err != nil {
			return err
		}
		nan, err := c.Op("IsNaN", []string{x}, nil)
		if err != nil {
			return err
		}
		v, err = c.Chain(Value{Name: x, Perm: v.Perm}, Step{Op: "IsInf"}, Step{Op: "Or", Extra: []string{nan}}, Step{Op: "Not"})
		c.SetOutputValue(0, v)
		return err
	}}, "IsFinite")
	register(Entry{TypeAttr: "DstT", DTypes: append(slices.Clone(numericTypes), tensor.Bool), Check: castCheck, Translate: func(c *Ctx) error {
		dst, err := c.Attrs.Type("DstT", tensor.Invalid)
		if err != nil {
			return err
		}
		to, err := onnxElemType(dst)
		if err != nil {
			return err
		}
		return c.Unary("Cast", map[string]any{"to": int64(to)})
	}}, "Cast")

	// ONNX Runtime's Atan is float-only; a double Atan2 would lose
	// precision through float.
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Translate: func(c *Ctx) error { return c.atan2() }}, "Atan2")
}

// relu6 clips a value to [0, 6] in its layout.
func (c *Ctx) relu6(v Value) (Value, error) {
	lo, hi, err := c.clipBounds(c.Out(0).DType)
	if err != nil {
		return Value{}, err
	}
	return c.Chain(v, Step{Op: "Clip", Extra: []string{lo, hi}})
}

// clipBounds returns the scalars 0 and 6 of dtype dt, for Relu6.
func (c *Ctx) clipBounds(dt tensor.DType) (string, string, error) {
	if dt == tensor.Invalid {
		dt = tensor.Float32
	}
	lo, err := c.Scalar(dt, 0)
	if err != nil {
		return "", "", err
	}
	hi, err := c.Scalar(dt, 6)
	return lo, hi, err
}

// unaryChain runs steps on input 0 in its compute type, keeping its
// layout.
func (c *Ctx) unaryChain(steps ...Step) error {
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	if v, err = c.Compute(v, c.In(0).DType, steps...); err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

// elementwiseOut sets output 0 to an elementwise op over inputs followed
// by more steps, computed in the compute type.
func (c *Ctx) elementwiseOut(op string, attrs map[string]any, inputs []int, then ...Step) error {
	out, perm, err := c.elementwiseThen(op, attrs, inputs, then)
	if err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
}

// noIncompatibleShapeError keeps Equal/NotEqual with
// incompatible_shape_error=false (which returns false instead of failing
// on mismatched shapes) on the executor.
func noIncompatibleShapeError(_ *tfpb.NodeDef, a graph.Attrs) error {
	strict, err := a.Bool("incompatible_shape_error", true)
	if err != nil {
		return err
	}
	if !strict {
		return untranslatable("incompatible_shape_error=false")
	}
	return nil
}

// castCheck allows casts between the numeric types and bool, whose ONNX
// Cast follows the same conversions (bool to 0/1, non-zero to true).
func castCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	src, err := a.Type("SrcT", tensor.Invalid)
	if err != nil {
		return err
	}
	if src != tensor.Invalid && !src.IsNumeric() && src != tensor.Bool {
		return untranslatable("cast from %v", src)
	}
	if src.IsComplex() {
		return untranslatable("cast from %v", src)
	}
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
