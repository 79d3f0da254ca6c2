package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// Division and remainder. Floats divide directly. Integers divide only by
// a divisor known when translating that holds neither 0 nor -1: ONNX
// Runtime's integer division faults on those (TensorFlow reports division
// by zero and wraps MinInt/-1), so such divisors stay on the executor.
func init() {
	divTypes := append(slices.Clone(floatTypes), divIntTypes...)
	division := func(float, integer func(c *Ctx) error) func(c *Ctx) error {
		return func(c *Ctx) error {
			if c.In(0).DType.IsInteger() {
				if err := c.checkDivisor(); err != nil {
					return err
				}
				return integer(c)
			}
			return float(c)
		}
	}
	trunc := func(c *Ctx) error { return c.ElementwiseOf("Div", nil, 0, 1) }
	register(Entry{DTypes: divTypes,
		Translate: division(trunc, trunc)}, "Div") // TensorFlow's integer Div truncates, as ONNX's
	register(Entry{DTypes: divIntTypes, Translate: division(trunc, trunc)}, "TruncateDiv")
	register(Entry{DTypes: divTypes, Translate: division(
		func(c *Ctx) error { return c.elementwiseOut("Div", nil, []int{0, 1}, Step{Op: "Floor"}) },
		(*Ctx).intFloorDiv)}, "FloorDiv")
	register(Entry{DTypes: divTypes, Translate: division((*Ctx).floorMod,
		func(c *Ctx) error { return c.ElementwiseOf("Mod", map[string]any{"fmod": 0}, 0, 1) })}, "FloorMod")
	cMod := func(c *Ctx) error { return c.ElementwiseOf("Mod", map[string]any{"fmod": 1}, 0, 1) }
	register(Entry{DTypes: divIntTypes, Translate: division(cMod, cMod)}, "Mod", "TruncateMod")
}

// divIntTypes are the integer types ONNX Runtime's Div and Mod implement.
var divIntTypes = []tensor.DType{tensor.Int32, tensor.Int64}

// checkDivisor refuses an integer divisor that is unknown, or holds 0 or
// -1, as the comment on this file's init explains.
func (c *Ctx) checkDivisor() error {
	t, err := c.Static(1)
	if err != nil {
		return err
	}
	vals, err := tensor.Float64s(t)
	if err != nil {
		return err
	}
	for _, v := range vals {
		if v == 0 || v == -1 {
			return c.Fail("integer divisor %v", v)
		}
	}
	return nil
}

// intFloorDiv is Python's integer floor division from ONNX's truncating
// Div: q - 1 where the remainder is non-zero and its sign differs from
// the divisor's.
func (c *Ctx) intFloorDiv() error {
	outRank := c.Out(0).Rank()
	perm := c.layoutOf(outRank, 0, 1)
	a, err := c.aligned(0, perm, outRank)
	if err != nil {
		return err
	}
	b, err := c.aligned(1, perm, outRank)
	if err != nil {
		return err
	}
	dt := c.Out(0).DType
	f := &formula{c: c, dt: dt}
	zero := f.scalar(0)
	q := f.op("Div", nil, a, b)
	r := f.op("Mod", map[string]any{"fmod": 1}, a, b)
	adjust := f.op("And", nil, f.op("Not", nil, f.op("Equal", nil, r, zero)),
		f.op("Xor", nil, f.op("Less", nil, r, zero), f.op("Less", nil, b, zero)))
	out := f.op("Sub", nil, q, f.cast(adjust, tensor.Bool, dt))
	if f.err != nil {
		return f.err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	return nil
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
