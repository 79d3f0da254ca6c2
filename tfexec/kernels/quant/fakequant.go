package quant

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// quantRange is the integer range [lo, hi] of a fake-quant node:
// [0, 2^num_bits − 1], or [1, 2^num_bits − 1] with narrow_range.
type quantRange struct{ lo, hi int }

// parseQuantRange reads num_bits (2 to 16, default 8) and narrow_range.
func parseQuantRange(n *kernel.Node) (quantRange, error) {
	bits, err := n.Attrs.Int("num_bits", 8)
	if err != nil {
		return quantRange{}, err
	}
	if bits < 2 || bits > 16 {
		return quantRange{}, kernel.Invalid("attribute \"num_bits\" = %d: num_bits must be between 2 and 16, inclusive", bits)
	}
	narrow, err := n.Attrs.Bool("narrow_range", false)
	if err != nil {
		return quantRange{}, err
	}
	q := quantRange{hi: 1<<bits - 1}
	if narrow {
		q.lo = 1
	}
	return q, nil
}

// quantizer fake-quantizes with one nudged range:
//
//	out = ⌊(clamp(x, nudged_min, nudged_max) − nudged_min) / scale + ½⌋ · scale + nudged_min
//
// Every step is float32 arithmetic in the order of TensorFlow's functors,
// with products rounded explicitly so that no multiply-add is fused.
// FakeQuantWithMinMaxArgs multiplies by 1/scale where the other two
// divide by scale, as TensorFlow does; the two differ in the last bit.
type quantizer struct {
	min, max, scale, inv float32
	divide               bool // divide by scale rather than multiply by inv
	zero                 bool // min = max = 0: every output is 0
}

// newQuantizer nudges [min, max] as TensorFlow's Nudge does: the scale
// spreads [min, max] over the integer range, the zero point is rounded
// (half away from zero) into the range, and the range is shifted so that
// 0 is exactly representable.
func newQuantizer(min, max float32, q quantRange, divide bool) quantizer {
	if min == 0 && max == 0 {
		return quantizer{zero: true}
	}
	lo, hi := float32(q.lo), float32(q.hi)
	scale := (max - min) / (hi - lo)
	zpFromMin := lo - min/scale
	var zp uint16
	switch {
	case zpFromMin < lo:
		zp = uint16(q.lo)
	case zpFromMin > hi:
		zp = uint16(q.hi)
	default:
		zp = uint16(math.Round(float64(zpFromMin)))
	}
	return quantizer{
		min:    float32(lo-float32(zp)) * scale,
		max:    float32(hi-float32(zp)) * scale,
		scale:  scale,
		inv:    1 / scale,
		divide: divide,
	}
}

// one fake-quantizes one value.
func (qz *quantizer) one(x float32) float32 {
	if qz.zero {
		return 0
	}
	// NaN passes through both clamps, as through Eigen's.
	if x > qz.max {
		x = qz.max
	}
	if x < qz.min {
		x = qz.min
	}
	shifted := x - qz.min
	var steps float32
	if qz.divide {
		steps = shifted / qz.scale
	} else {
		steps = float32(shifted * qz.inv)
	}
	return float32(float32(math.Floor(float64(steps+0.5)))*qz.scale) + qz.min
}

// float32Input checks that t is float32, the only dtype of the fake-quant
// ops, and returns its values.
func float32Input(t *tensor.Tensor, name string) ([]float32, error) {
	if t.DType() != tensor.Float32 {
		return nil, kernel.Unsupported("%s dtype %v (want float32)", name, t.DType())
	}
	return tensor.Values[float32](t), nil
}

// quantizeAll applies one quantizer to a whole tensor.
func quantizeAll(x *tensor.Tensor, xv []float32, qz quantizer) ([]*tensor.Tensor, error) {
	out := make([]float32, len(xv))
	kernel.ParallelFor(len(xv), 8, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = qz.one(xv[k])
		}
	})
	t, err := tensor.FromSlice(x.Shape().Clone(), out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

func newFakeQuantArgs(n *kernel.Node) (kernel.Kernel, error) {
	q, err := parseQuantRange(n)
	if err != nil {
		return nil, err
	}
	min, err := n.Attrs.Float("min", -6)
	if err != nil {
		return nil, err
	}
	max, err := n.Attrs.Float("max", 6)
	if err != nil {
		return nil, err
	}
	if !(min < max) {
		return nil, kernel.Invalid("attributes \"min\" and \"max\": min has to be smaller than max, was: %v >= %v", min, max)
	}
	qz := newQuantizer(min, max, q, false)
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		xv, err := float32Input(in[0], "inputs")
		if err != nil {
			return nil, err
		}
		return quantizeAll(in[0], xv, qz)
	}, nil
}

func newFakeQuantVars(n *kernel.Node) (kernel.Kernel, error) {
	q, err := parseQuantRange(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		xv, err := float32Input(in[0], "inputs")
		if err != nil {
			return nil, err
		}
		var bounds [2]float32
		for i, name := range []string{"min", "max"} {
			t := in[1+i]
			if t.Rank() != 0 {
				return nil, kernel.Invalid("`%s` must be rank 0 but is rank %d", name, t.Rank())
			}
			v, err := float32Input(t, name)
			if err != nil {
				return nil, err
			}
			bounds[i] = v[0]
		}
		return quantizeAll(in[0], xv, newQuantizer(bounds[0], bounds[1], q, true))
	}, nil
}

func newFakeQuantPerChannel(n *kernel.Node) (kernel.Kernel, error) {
	q, err := parseQuantRange(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x := in[0]
		xv, err := float32Input(x, "inputs")
		if err != nil {
			return nil, err
		}
		if x.Rank() < 1 {
			return nil, kernel.Invalid("inputs must be at least rank 1, got shape %v", x.Shape())
		}
		depth := x.Shape()[x.Rank()-1]
		var bounds [2][]float32
		for i, name := range []string{"min", "max"} {
			t := in[1+i]
			if t.Rank() != 1 {
				return nil, kernel.Invalid("`%s` must be rank 1 but is rank %d", name, t.Rank())
			}
			if t.Shape()[0] != depth {
				return nil, kernel.Invalid("%s has incorrect size, expected %d was %d", name, depth, t.Shape()[0])
			}
			if bounds[i], err = float32Input(t, name); err != nil {
				return nil, err
			}
		}
		qzs := make([]quantizer, depth)
		for c := range qzs {
			qzs[c] = newQuantizer(bounds[0][c], bounds[1][c], q, true)
		}
		out := make([]float32, len(xv))
		if depth > 0 {
			rows := len(xv) / depth
			kernel.ParallelFor(rows, 8*depth, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					row, res := xv[r*depth:(r+1)*depth], out[r*depth:(r+1)*depth]
					for c := range qzs {
						res[c] = qzs[c].one(row[c])
					}
				}
			})
		}
		t, err := tensor.FromSlice(x.Shape().Clone(), out)
		if err != nil {
			return nil, fmt.Errorf("FakeQuantWithMinMaxVarsPerChannel: %w", err)
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}
