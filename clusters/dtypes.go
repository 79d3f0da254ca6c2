package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// Common dtype sets for table entries.
var (
	floatTypes   = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16}
	fastFloats   = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16}
	signedInts   = []tensor.DType{tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64}
	unsignedInts = []tensor.DType{tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64}
	intTypes     = append(slices.Clone(signedInts), unsignedInts...)
	numericTypes = append(slices.Clone(floatTypes), intTypes...)
	allTypes     = append(append(slices.Clone(numericTypes), tensor.Bool, tensor.String), tensor.Complex64, tensor.Complex128)
)

// realTypes are the integer and float types; halfFloats the 16-bit floats.
var (
	realTypes  = append(slices.Clone(floatTypes), intTypes...)
	halfFloats = []tensor.DType{tensor.Float16, tensor.BFloat16}
)

// movableTypes are the dtypes of ONNX Runtime's data-movement kernels:
// Reshape, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather,
// GatherND, Shape and ConstantOfShape take them all; Pad, Tile and Expand
// get the ones they lack through exactWider.
var movableTypes = append(slices.Clone(floatTypes), append(slices.Clone(intTypes), tensor.Bool)...)

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
