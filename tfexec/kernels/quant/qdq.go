package quant

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// qdqTypes are the dtypes the QuantizeAndDequantize kernels implement:
// TensorFlow also registers half and bfloat16, whose step-by-step
// rounding these kernels do not reproduce.
var qdqTypes = []tensor.DType{tensor.Float32, tensor.Float64}

// qdqVersion tells QuantizeAndDequantizeV2 and V4 (num_bits and
// round_mode attributes) from V3 (num_bits an input, half to even).
type qdqVersion uint8

const (
	qdqV2 qdqVersion = iota
	qdqV3
)

// qdqSpec is a QuantizeAndDequantize node's attributes.
type qdqSpec struct {
	signed, rangeGiven, narrow, halfUp bool
	numBits, axis                      int
}

// newQDQ makes QuantizeAndDequantizeV2, V3 and V4: each value (each slice
// along axis, when axis is not -1) scaled to the integers of num_bits
// bits, rounded and scaled back, with TensorFlow's choice of scale: the
// largest that maps [min, max] into the integer range keeping 0 exact,
// min and max the given ones (range_given) or the data's.
func newQDQ(v qdqVersion) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "T", qdqTypes); err != nil {
			return nil, err
		}
		var s qdqSpec
		var err error
		if s.signed, err = n.Attrs.Bool("signed_input", true); err != nil {
			return nil, err
		}
		rangeDefault := v == qdqV3
		if s.rangeGiven, err = n.Attrs.Bool("range_given", rangeDefault); err != nil {
			return nil, err
		}
		if s.narrow, err = n.Attrs.Bool("narrow_range", false); err != nil {
			return nil, err
		}
		axis, err := n.Attrs.Int("axis", -1)
		if err != nil {
			return nil, err
		}
		s.axis = int(axis)
		if v == qdqV2 {
			bits, err := n.Attrs.Int("num_bits", 8)
			if err != nil {
				return nil, err
			}
			s.numBits = int(bits)
			if err := s.checkBits(); err != nil {
				return nil, err
			}
			mode, err := n.Attrs.String("round_mode", "HALF_TO_EVEN")
			if err != nil {
				return nil, err
			}
			switch mode {
			case "HALF_TO_EVEN":
			case "HALF_UP":
				s.halfUp = true
			default:
				return nil, kernel.Invalid("attribute round_mode: unknown round mode %q", mode)
			}
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			want := 3
			if v == qdqV3 {
				want = 4
			}
			if err := kernel.CheckInputs(in, want); err != nil {
				return nil, err
			}
			spec := s
			if v == qdqV3 {
				if in[3].Rank() != 0 {
					return nil, kernel.Invalid("num_bits must be a scalar, got shape %v", in[3].Shape())
				}
				if spec.numBits, err = kernel.Int(in[3]); err != nil {
					return nil, err
				}
				if err := spec.checkBits(); err != nil {
					return nil, err
				}
			}
			out, err := spec.run(in[0], in[1], in[2])
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func (s qdqSpec) checkBits() error {
	limit := 63
	if s.signed {
		limit = 62
	}
	if s.numBits <= 0 || s.numBits >= limit {
		return kernel.Invalid("num_bits is out of range: %d with signed_input %v", s.numBits, s.signed)
	}
	return nil
}

func (s qdqSpec) run(x, minT, maxT *tensor.Tensor) (*tensor.Tensor, error) {
	dt := x.DType()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, kernel.Unsupported("dtype %v", dt)
	}
	if minT.DType() != dt || maxT.DType() != dt {
		return nil, kernel.Invalid("input_min and input_max must have dtype %v", dt)
	}
	shape := x.Shape()
	depth, inner := 1, x.NumElements()
	if s.axis != -1 {
		if s.axis < 0 || s.axis >= len(shape) {
			return nil, kernel.Invalid("axis %d out of range for input of shape %v", s.axis, shape)
		}
		depth = shape[s.axis]
		inner = tensor.Shape(shape[s.axis+1:]).NumElements()
	}
	wantRange := tensor.Shape{}
	if s.axis != -1 {
		wantRange = tensor.Shape{depth}
	}
	if s.rangeGiven || s.axis != -1 {
		if !minT.Shape().Equal(wantRange) || !maxT.Shape().Equal(wantRange) {
			return nil, kernel.Invalid("input_min and input_max must have shape %v, got %v and %v", wantRange, minT.Shape(), maxT.Shape())
		}
	}
	xv, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	var mins, maxs []float64
	if s.rangeGiven {
		if mins, err = tensor.Float64s(minT); err != nil {
			return nil, err
		}
		if maxs, err = tensor.Float64s(maxT); err != nil {
			return nil, err
		}
	}
	out := make([]float64, len(xv))
	wide := dt == tensor.Float64
	for c := 0; c < depth; c++ {
		// The elements of channel c: blocks of inner values, depth apart.
		at := func(k int) int { return (k/inner)*depth*inner + c*inner + k%inner }
		count := len(xv) / max(depth, 1)
		var lo, hi float64
		if s.rangeGiven {
			lo, hi = mins[c], maxs[c]
			if lo > hi {
				return nil, kernel.Invalid("Invalid range: input_min %v > input_max %v", lo, hi)
			}
		} else if count > 0 {
			lo, hi = math.Inf(1), math.Inf(-1)
			for k := 0; k < count; k++ {
				lo, hi = math.Min(lo, xv[at(k)]), math.Max(hi, xv[at(k)])
			}
		}
		q := s.quantizer(lo, hi, wide)
		for k := 0; k < count; k++ {
			i := at(k)
			out[i] = q.apply(xv[i])
		}
	}
	return tensor.FromFloat64s(dt, shape, out)
}

// qdqScale is one scale's arithmetic, in float32 (round32) or float64.
type qdqScale struct {
	lo, hi, scale, inverse float64
	clamp, halfUp, wide    bool
}

// quantizer computes TensorFlow's ComputeQuantizationRange for [lo, hi]
// in the op's precision.
func (s qdqSpec) quantizer(lo, hi float64, wide bool) qdqScale {
	r := func(v float64) float64 {
		if wide {
			return v
		}
		return float64(float32(v))
	}
	var minQ, maxQ float64
	if s.signed {
		minQ = -math.Ldexp(1, s.numBits-1)
		if s.narrow {
			minQ++
		}
		maxQ = math.Ldexp(1, s.numBits-1) - 1
	} else {
		maxQ = math.Ldexp(1, s.numBits) - 1
	}
	minQ, maxQ = r(minQ), r(maxQ)
	maxT := math.MaxFloat64
	if !wide {
		maxT = math.MaxFloat32
	}
	fromMin, fromMax := maxT, maxT
	if minQ*lo > 0 {
		fromMin = r(minQ / lo)
	}
	if maxQ*hi > 0 {
		fromMax = r(maxQ / hi)
	}
	q := qdqScale{clamp: s.rangeGiven, halfUp: s.halfUp, wide: wide}
	if fromMin < fromMax {
		q.scale, q.inverse = fromMin, r(lo/minQ)
		hi = r(maxQ * q.inverse)
	} else {
		q.scale, q.inverse = fromMax, r(hi/maxQ)
		lo = r(minQ * q.inverse)
	}
	q.lo, q.hi = lo, hi
	return q
}

// apply quantizes and dequantizes one value: clamped to the range when
// it was given, scaled, rounded and scaled back, each step in the op's
// precision.
func (q qdqScale) apply(x float64) float64 {
	r := func(v float64) float64 {
		if q.wide {
			return v
		}
		return float64(float32(v))
	}
	if q.clamp {
		x = math.Max(math.Min(x, q.hi), q.lo)
	}
	y := r(x * q.scale)
	if q.halfUp {
		y = math.Floor(r(y + 0.5))
	} else {
		y = math.RoundToEven(y)
	}
	return r(y * q.inverse)
}
