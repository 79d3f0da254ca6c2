package nn

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// bnVersion tells the fused batch norm ops apart.
type bnVersion uint8

const (
	bnV1 bnVersion = iota // FusedBatchNorm: float only, 5 outputs
	bnV2                  // FusedBatchNormV2: T half/bfloat16/float, U float
	bnV3                  // FusedBatchNormV3: a 6th output, 5-D inputs
	bnEx                  // _FusedBatchNormEx: V3 plus side input and activation
)

var nan32 = float32(math.NaN())

// bnSpec is a fused batch norm node's validated attributes.
type bnSpec struct {
	version    bnVersion
	types      []tensor.DType
	epsilon    float32
	avgFactor  float32
	format     dataFormat
	training   bool
	sideInputs int
	activation func([]float32) // nil for Identity
}

// bnActivations are the activation_mode values _FusedBatchNormEx accepts.
var bnActivations = []string{"Identity", "Relu", "Relu6", "Elu", "LeakyRelu"}

// bnTypes returns the dtypes of x a fused batch norm version takes.
func bnTypes(v bnVersion) []tensor.DType {
	if v == bnV1 {
		return []tensor.DType{tensor.Float32}
	}
	return []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32}
}

func newFusedBatchNorm(version bnVersion) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		s := &bnSpec{version: version, types: bnTypes(version)}
		if version != bnV1 {
			if err := checkTypeAttr(n, "U", []tensor.DType{tensor.Float32}); err != nil {
				return nil, err
			}
		}
		if err := checkTypeAttr(n, "T", s.types); err != nil {
			return nil, err
		}
		var err error
		if s.epsilon, err = n.Attrs.Float("epsilon", 0.0001); err != nil {
			return nil, err
		}
		if s.avgFactor, err = n.Attrs.Float("exponential_avg_factor", 1); err != nil {
			return nil, err
		}
		if s.training, err = n.Attrs.Bool("is_training", true); err != nil {
			return nil, err
		}
		formats := []string{"NHWC", "NCHW"}
		if version >= bnV3 {
			formats = append(formats, "NDHWC", "NCDHW")
		}
		if s.format, err = parseFormat(n, "NHWC", formats...); err != nil {
			return nil, err
		}
		if version == bnEx {
			if err := s.parseEx(n); err != nil {
				return nil, err
			}
		}
		return s.run, nil
	}
}

// parseEx reads _FusedBatchNormEx's side input and activation attributes.
func (s *bnSpec) parseEx(n *kernel.Node) error {
	sides, err := n.Attrs.Int("num_side_inputs", 0)
	if err != nil {
		return err
	}
	if sides < 0 || sides > 1 {
		return fmt.Errorf("attribute \"num_side_inputs\" = %d: FusedBatchNorm accepts at most one side input", sides)
	}
	s.sideInputs = int(sides)
	mode, err := n.Attrs.String("activation_mode", "Identity")
	if err != nil {
		return err
	}
	if !slices.Contains(bnActivations, mode) {
		return fmt.Errorf("attribute \"activation_mode\" = %q: %w (want one of %v)", mode, kernel.ErrUnsupported, bnActivations)
	}
	if s.sideInputs == 1 && s.training && mode == "Identity" {
		return errors.New("attribute \"activation_mode\": Identity activation is not supported with non-empty side input")
	}
	alpha, err := n.Attrs.Float("leakyrelu_alpha", 0.2)
	if err != nil {
		return err
	}
	if mode != "Identity" {
		s.activation, _ = kernel.Activation(mode, alpha)
	}
	return nil
}

// bnGeom views the input as [outer, c, inner]: channels-last inputs have
// inner = 1, channels-first ones outer = N and inner = the spatial size.
type bnGeom struct {
	outer, c, inner int
}

func (s *bnSpec) run(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 5+s.sideInputs); err != nil {
		return nil, err
	}
	x, scale, offset, mean, variance := in[0], in[1], in[2], in[3], in[4]
	shape := x.Shape()
	if r := len(shape); r != 4 && (r != 5 || s.version < bnV3) {
		return nil, fmt.Errorf("input must be 4 or 5-dimensional, got shape %v", shape)
	}
	if err := checkDType(x, s.types); err != nil {
		return nil, err
	}
	for i, t := range in[1:5] {
		name := [...]string{"scale", "offset", "mean", "variance"}[i]
		if t.Rank() != 1 {
			return nil, fmt.Errorf("%s must be 1-dimensional, got shape %v", name, t.Shape())
		}
		if t.DType() != tensor.Float32 {
			return nil, fmt.Errorf("%s has dtype %v: %w (want float32)", name, t.DType(), kernel.ErrUnsupported)
		}
	}
	g := bnGeom{outer: shape[0], c: shape[1], inner: 1}
	if s.format == channelsFirst {
		for _, d := range shape[2:] {
			g.inner *= d
		}
	} else {
		g.c = shape[len(shape)-1]
		g.outer = x.NumElements() / max(g.c, 1)
		if g.c == 0 {
			g.outer = 0
		}
	}
	if scale.NumElements() != g.c {
		return nil, fmt.Errorf("scale must have the same number of elements as the channels of x, got %d and %d", scale.NumElements(), g.c)
	}
	if offset.NumElements() != g.c {
		return nil, fmt.Errorf("offset must have the same number of elements as the channels of x, got %d and %d", offset.NumElements(), g.c)
	}
	if !s.training || s.avgFactor != 1 {
		prefix := "when is_training=false"
		if s.training {
			prefix = "when exponential_avg_factor != 1"
		}
		if mean.NumElements() != g.c {
			return nil, fmt.Errorf("%s, mean must have the same number of elements as the channels of x, got %d and %d", prefix, mean.NumElements(), g.c)
		}
		if variance.NumElements() != g.c {
			return nil, fmt.Errorf("%s, variance must have the same number of elements as the channels of x, got %d and %d", prefix, variance.NumElements(), g.c)
		}
	}
	var side *tensor.Tensor
	if s.sideInputs == 1 {
		side = in[5]
		if !side.Shape().Equal(shape) || side.DType() != x.DType() {
			return nil, fmt.Errorf("side_input must match the input: %v%v != %v%v", side.DType(), side.Shape(), x.DType(), shape)
		}
	}
	return s.compute(g, x, side, scale, offset, mean, variance)
}

func (s *bnSpec) compute(g bnGeom, x, side, scale, offset, mean, variance *tensor.Tensor) ([]*tensor.Tensor, error) {
	cShape := scale.Shape()
	outs := make([]*tensor.Tensor, 5, 6)
	if s.version >= bnV3 {
		outs = append(outs, tensor.Scalar[float32](0))
	}
	if x.NumElements() == 0 {
		y, err := tensor.New(x.DType(), x.Shape())
		if err != nil {
			return nil, err
		}
		outs[0] = y
		for i := 1; i < 5; i++ {
			outs[i] = nanTensor(cShape)
		}
		return outs, nil
	}
	xv, err := kernel.Float32s(x)
	if err != nil {
		return nil, err
	}
	sc, off := tensor.Values[float32](scale), tensor.Values[float32](offset)
	var bm, bv []float32 // the batch or estimated mean and variance
	if s.training {
		n := g.outer * g.inner
		inv := 1 / float32(n)
		bm, bv = make([]float32, g.c), make([]float32, g.c)
		for c, sum := range channelSums(xv, g, nil) {
			bm[c] = sum * inv
		}
		for c, sum := range channelSums(xv, g, bm) {
			bv[c] = sum * inv
		}
	} else {
		bm, bv = tensor.Values[float32](mean), tensor.Values[float32](variance)
	}
	// TensorFlow's rsqrt here is 1 / sqrtf(v), two roundings; matching
	// that makes inference results bit-identical to its CPU kernel.
	factor := make([]float32, g.c)
	for c := range factor {
		factor[c] = (1 / float32(math.Sqrt(float64(bv[c]+s.epsilon)))) * sc[c]
	}
	y := make([]float32, len(xv))
	normalize(xv, y, g, bm, factor, off)
	if side != nil {
		sv, err := kernel.Float32s(side)
		if err != nil {
			return nil, err
		}
		kernel.ParallelFor(len(y), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				y[i] += sv[i]
			}
		})
	}
	if s.activation != nil {
		s.activation(y)
	}
	if outs[0], err = kernel.FromFloat32s(x.DType(), x.Shape(), y); err != nil {
		return nil, err
	}
	if !s.training {
		outs[1], outs[2] = mean, variance
		outs[3], outs[4] = tensor.MustNew(tensor.Float32, cShape), tensor.MustNew(tensor.Float32, cShape)
		return outs, nil
	}
	n := g.outer * g.inner
	adjust := float32(n) / float32(max(n-1, 1)) // Bessel's correction
	runMean, runVar := make([]float32, g.c), make([]float32, g.c)
	if s.avgFactor == 1 {
		copy(runMean, bm)
		for c, v := range bv {
			runVar[c] = v * adjust
		}
	} else {
		keep := 1 - s.avgFactor
		oldMean, oldVar := tensor.Values[float32](mean), tensor.Values[float32](variance)
		fa := s.avgFactor * adjust
		for c := range runMean {
			runMean[c] = float32(keep*oldMean[c]) + float32(s.avgFactor*bm[c])
			runVar[c] = float32(keep*oldVar[c]) + float32(fa*bv[c])
		}
	}
	outs[1], outs[2] = tensor.MustFromSlice(cShape, runMean), tensor.MustFromSlice(cShape, runVar)
	outs[3], outs[4] = tensor.MustFromSlice(cShape, bm), tensor.MustFromSlice(cShape, bv)
	return outs, nil
}

// channelSums returns, per channel, the float32 sum of x, or with center
// the sum of (x − center)², accumulated in order over the batch and
// spatial positions. That is the order of TensorFlow's Eigen reduction,
// which splits the work between threads by channel, never along a sum.
func channelSums(x []float32, g bnGeom, center []float32) []float32 {
	sums := make([]float32, g.c)
	n := g.outer * g.inner
	if g.inner == 1 {
		kernel.ParallelFor(g.c, n, func(lo, hi int) {
			acc := sums[lo:hi]
			for o := range g.outer {
				row := x[o*g.c+lo : o*g.c+hi]
				if center == nil {
					for j, v := range row {
						acc[j] += v
					}
					continue
				}
				cen := center[lo:hi]
				for j, v := range row {
					d := v - cen[j]
					acc[j] += float32(d * d)
				}
			}
		})
		return sums
	}
	kernel.ParallelFor(g.c, n, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var sum float32
			for o := range g.outer {
				row := x[(o*g.c+c)*g.inner : (o*g.c+c+1)*g.inner]
				if center == nil {
					for _, v := range row {
						sum += v
					}
					continue
				}
				m := center[c]
				for _, v := range row {
					d := v - m
					sum += float32(d * d)
				}
			}
			sums[c] = sum
		}
	})
	return sums
}

// normalize writes y = (x − mean)·factor + offset per channel, rounding
// each step to float32 like TensorFlow's Eigen expression.
func normalize(x, y []float32, g bnGeom, mean, factor, offset []float32) {
	if g.inner == 1 {
		kernel.ParallelFor(g.outer, g.c*3, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				src, dst := x[r*g.c:(r+1)*g.c], y[r*g.c:(r+1)*g.c]
				for c, v := range src {
					dst[c] = float32((v-mean[c])*factor[c]) + offset[c]
				}
			}
		})
		return
	}
	kernel.ParallelFor(g.outer*g.c, g.inner*3, func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			c := blk % g.c
			m, f, o := mean[c], factor[c], offset[c]
			src, dst := x[blk*g.inner:(blk+1)*g.inner], y[blk*g.inner:(blk+1)*g.inner]
			for i, v := range src {
				dst[i] = float32((v-m)*f) + o
			}
		}
	})
}

// nanTensor returns a float32 tensor of the given shape filled with NaN.
func nanTensor(shape tensor.Shape) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape)
	v := tensor.Values[float32](t)
	for i := range v {
		v[i] = nan32
	}
	return t
}
