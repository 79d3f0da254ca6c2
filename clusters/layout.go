package clusters

import (
	"bytes"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// layoutOf returns the permutation shared by the permuted inputs of an
// elementwise op whose output has rank outRank: the first input stored
// permuted at full rank decides. Nil means TensorFlow order.
func (c *Ctx) layoutOf(outRank int, inputs ...int) []int {
	if outRank < 0 {
		return nil
	}
	for _, i := range inputs {
		v, err := c.Raw(i)
		if err == nil && v.Perm != nil && len(v.Perm) == outRank {
			return v.Perm
		}
	}
	return nil
}

// aligned returns input i laid out as perm for an op whose output has rank
// outRank, broadcasting as TensorFlow does: a lower-rank input gets
// leading 1-dimensions first. Static inputs are rearranged at translation
// time; others through Unsqueeze and Transpose.
func (c *Ctx) aligned(i int, perm []int, outRank int) (string, error) {
	if perm == nil {
		return c.Input(i)
	}
	if v, err := c.Raw(i); err == nil && slices.Equal(v.Perm, perm) {
		return v.Name, nil
	}
	in := c.In(i)
	rank := in.Rank()
	if rank < 0 {
		return "", c.Fail("input %d has unknown rank", i)
	}
	if rank == 0 {
		return c.Input(i) // scalars broadcast in any layout
	}
	if in.Value != nil {
		t := in.Value
		if rank < outRank {
			shape := make(tensor.Shape, outRank-rank, outRank)
			for k := range shape {
				shape[k] = 1
			}
			var err error
			if t, err = t.Reshape(append(shape, t.Shape()...)); err != nil {
				return "", err
			}
		}
		t, err := tensor.Transpose(t, perm)
		if err != nil {
			return "", err
		}
		return c.Const(t)
	}
	if rank == outRank {
		return c.InputAs(i, perm)
	}
	name, err := c.Input(i)
	if err != nil {
		return "", err
	}
	axes := make([]int, outRank-rank)
	for k := range axes {
		axes[k] = k
	}
	ax, err := c.Int64s(axes...)
	if err != nil {
		return "", err
	}
	if name, err = c.Op("Unsqueeze", []string{name, ax}, nil); err != nil {
		return "", err
	}
	return c.Op("Transpose", []string{name}, map[string]any{"perm": perm})
}

// Elementwise emits an ONNX op over the node's data inputs (TensorFlow and
// ONNX broadcast alike) as output 0. When an input is stored permuted, the
// op runs in that layout and the output stays permuted.
func (c *Ctx) Elementwise(op string, attrs map[string]any) error {
	idx := make([]int, c.NumInputs())
	for i := range idx {
		idx[i] = i
	}
	return c.ElementwiseOf(op, attrs, idx...)
}

// ElementwiseOf is Elementwise over the given inputs only.
func (c *Ctx) ElementwiseOf(op string, attrs map[string]any, inputs ...int) error {
	name, perm, err := c.elementwise(op, attrs, inputs...)
	if err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: name, Perm: perm})
	return nil
}

// elementwise emits op and returns its output name and layout. bfloat16
// operands are computed in float32 and the result rounded back, which is
// what TensorFlow's CPU kernels do and what ONNX Runtime's CPU provider,
// lacking bfloat16 kernels, needs.
func (c *Ctx) elementwise(op string, attrs map[string]any, inputs ...int) (string, []int, error) {
	return c.elementwiseThen(op, attrs, inputs, nil)
}

// elementwiseThen is elementwise followed by more steps in the compute
// type (see Chain), rounded back once at the end.
func (c *Ctx) elementwiseThen(op string, attrs map[string]any, inputs []int, then []Step) (string, []int, error) {
	outRank := c.Out(0).Rank()
	perm := c.layoutOf(outRank, inputs...)
	names := make([]string, len(inputs))
	for k, i := range inputs {
		n, err := c.uniformScalar(i, inputs)
		if err == nil && n == "" {
			n, err = c.aligned(i, perm, outRank)
		}
		if err != nil {
			return "", nil, err
		}
		if names[k], err = c.widen(n, c.In(i).DType); err != nil {
			return "", nil, err
		}
	}
	out, err := c.Op(op, names, attrs)
	if err != nil {
		return "", nil, err
	}
	v, err := c.Chain(Value{Name: out}, then...)
	if err != nil {
		return "", nil, err
	}
	out, err = c.narrow(v.Name, c.Out(0).DType)
	return out, perm, err
}

// uniformScalar returns a scalar constant standing for input i of an
// elementwise op over inputs when i is a constant whose elements are all
// equal and whose shape broadcasting adds nothing to the other,
// non-constant inputs' (each of its dimensions is 1 or, statically, one
// of theirs; constants may become scalars themselves): ONNX
// Runtime broadcasts a [1,1,1,3] operand three elements at a time but a
// scalar with its vectorized loops. It returns "" when i is not such a
// constant.
func (c *Ctx) uniformScalar(i int, inputs []int) (string, error) {
	in := c.In(i)
	t := in.Value
	if t == nil || in.Rank() < 1 || t.DType().Size() == 0 || t.NumElements() == 0 {
		return "", nil
	}
	raw, size := t.Bytes(), t.DType().Size()
	for off := size; off < len(raw); off += size {
		if !bytes.Equal(raw[off:off+size], raw[:size]) {
			return "", nil
		}
	}
	for d, dim := range in.Shape {
		if dim == 1 {
			continue
		}
		covered := false
		for _, j := range inputs {
			o := c.In(j).Shape
			if k := len(o) - len(in.Shape) + d; j != i && c.In(j).Value == nil && k >= 0 && k < len(o) && o[k] == dim {
				covered = true
			}
		}
		if !covered {
			return "", nil
		}
	}
	if slices.IndexFunc(inputs, func(j int) bool { return j != i && c.In(j).Value == nil && c.In(j).Rank() >= in.Rank() }) < 0 {
		return "", nil // the constant sets the output's rank
	}
	scalar, err := tensor.FromBytes(t.DType(), tensor.Shape{}, raw[:size])
	if err != nil {
		return "", err
	}
	return c.Const(scalar)
}

// computeType is the type ONNX Runtime computes an elementwise op in for
// operands of type dt: bfloat16 runs in float32.
func computeType(dt tensor.DType) tensor.DType {
	if dt == tensor.BFloat16 {
		return tensor.Float32
	}
	return dt
}

// widen casts a value of type dt to its compute type.
func (c *Ctx) widen(name string, dt tensor.DType) (string, error) {
	if ct := computeType(dt); ct != dt {
		return c.castTo(name, ct)
	}
	return name, nil
}

// narrow casts an op's result back to the node's output type dt when the
// op ran in a wider type.
func (c *Ctx) narrow(name string, dt tensor.DType) (string, error) {
	if computeType(dt) != dt {
		return c.castTo(name, dt)
	}
	return name, nil
}

func (c *Ctx) castTo(name string, dt tensor.DType) (string, error) {
	to, err := onnxElemType(dt)
	if err != nil {
		return "", err
	}
	return c.Op("Cast", []string{name}, map[string]any{"to": int64(to)})
}

// Unary emits a one-input op that keeps its input's layout.
func (c *Ctx) Unary(op string, attrs map[string]any) error {
	v, err := c.Raw(0)
	if err != nil {
		return err
	}
	v, err = c.Compute(v, c.In(0).DType, Step{Op: op, Attrs: attrs})
	if err != nil {
		return err
	}
	c.SetOutputValue(0, v)
	return nil
}

// Compute runs steps (see Chain) on a value of type dt in its compute
// type, rounding the result back to the node's output type.
func (c *Ctx) Compute(v Value, dt tensor.DType, steps ...Step) (Value, error) {
	name, err := c.widen(v.Name, dt)
	if err != nil {
		return Value{}, err
	}
	if v, err = c.Chain(Value{Name: name, Perm: v.Perm}, steps...); err != nil {
		return Value{}, err
	}
	v.Name, err = c.narrow(v.Name, c.Out(0).DType)
	return v, err
}

// Chain emits ops one after another on a value, keeping its layout; each
// step gets the previous output as its first input, and Self in Extra
// stands for it too (x·x is Step{Op: "Mul", Extra: []string{Self}}).
func (c *Ctx) Chain(v Value, steps ...Step) (Value, error) {
	for _, s := range steps {
		ins := []string{v.Name}
		for _, e := range s.Extra {
			if e == Self {
				e = v.Name
			}
			ins = append(ins, e)
		}
		out, err := c.Op(s.Op, ins, s.Attrs)
		if err != nil {
			return Value{}, err
		}
		v = Value{Name: out, Perm: v.Perm}
	}
	return v, nil
}

// Self names the current value in a Step's Extra inputs.
const Self = "\x00self"

// Step is one op of a Chain.
type Step struct {
	Op    string
	Extra []string
	Attrs map[string]any
}

// axisIn maps a TensorFlow axis (possibly negative) of a tensor of rank
// rank to its position in a value stored with layout perm.
func axisIn(axis, rank int, perm []int) int {
	if axis < 0 {
		axis += rank
	}
	if perm == nil {
		return axis
	}
	return slices.Index(perm, axis)
}
