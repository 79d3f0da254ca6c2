package quant

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// quantizedTypes are the dtypes QuantizeV2 gives and Dequantize takes, as
// TensorFlow registers their CPU kernels.
var quantizedTypes = kernel.QuantizedTypes()

// quantMode is the mode attribute of QuantizeV2 and Dequantize.
type quantMode uint8

const (
	minCombined quantMode = iota
	minFirst
	scaled
)

// quantSpec holds the attributes QuantizeV2 and Dequantize share.
type quantSpec struct {
	dt         tensor.DType // T, the quantized type
	mode       quantMode
	narrow     bool
	axis       int
	lo, hi     float32 // numeric_limits<T>::lowest() and max(), as float
	loI, hiI   int64
	halfToEven bool    // QuantizeV2's round_mode HALF_TO_EVEN
	minRange   float32 // QuantizeV2's ensure_minimum_range
}

// parseQuantSpec reads T, mode, narrow_range and axis.
func parseQuantSpec(n *kernel.Node) (quantSpec, error) {
	var s quantSpec
	var err error
	if s.dt, err = n.Attrs.Type("T", tensor.Invalid); err != nil {
		return s, err
	}
	if !s.dt.IsQuantized() {
		return s, n.AttrError("T", kernel.Unsupported("%v", s.dt))
	}
	bits := 8 * s.dt.Size()
	if s.dt.Storage().IsUnsigned() {
		s.loI, s.hiI = 0, 1<<bits-1
	} else {
		s.loI, s.hiI = -1<<(bits-1), 1<<(bits-1)-1
	}
	s.lo, s.hi = float32(s.loI), float32(s.hiI)
	mode, err := n.Attrs.String("mode", "MIN_COMBINED")
	if err != nil {
		return s, err
	}
	switch mode {
	case "MIN_COMBINED":
		s.mode = minCombined
	case "MIN_FIRST":
		s.mode = minFirst
	case "SCALED":
		s.mode = scaled
	default:
		return s, kernel.Invalid("attribute mode: must be 'MIN_COMBINED', 'MIN_FIRST', or 'SCALED', is %q", mode)
	}
	if s.narrow, err = n.Attrs.Bool("narrow_range", false); err != nil {
		return s, err
	}
	axis, err := n.Attrs.Int("axis", -1)
	if err != nil {
		return s, err
	}
	s.axis = int(axis)
	return s, nil
}

// halfRange is TensorFlow's half_range_: (max − min + 1) / 2 of a signed
// T, which MIN_COMBINED shifts by, and 0 of an unsigned one.
func (s quantSpec) halfRange() float32 {
	if s.loI == 0 {
		return 0
	}
	return float32((float64(s.hiI) - float64(s.loI) + 1) / 2)
}

// slices splits x along axis into the slices that have their own range:
// one (axis −1) or x's dimension axis. It checks that min_range and
// max_range have one element per slice, and returns the number of
// slices and the number of elements after axis.
func (s quantSpec) slices(x, minT, maxT *tensor.Tensor) (depth, inner int, err error) {
	depth, inner = 1, x.NumElements()
	if s.axis != -1 {
		if s.axis < 0 || s.axis >= x.Rank() {
			return 0, 0, kernel.Invalid("axis must be -1 or less than the input's rank %d, got %d", x.Rank(), s.axis)
		}
		if s.mode == minFirst {
			return 0, 0, kernel.Unsupported("MIN_FIRST mode with axis %d: TensorFlow implements it only for axis -1", s.axis)
		}
		depth = x.Shape()[s.axis]
		inner = tensor.Shape(x.Shape()[s.axis+1:]).NumElements()
	}
	if minT.DType() != tensor.Float32 || maxT.DType() != tensor.Float32 {
		return 0, 0, kernel.Invalid("min_range and max_range must be float32, got %v and %v", minT.DType(), maxT.DType())
	}
	if minT.NumElements() != depth || maxT.NumElements() != depth {
		return 0, 0, kernel.Invalid("min_range and max_range must have %d elements (the input's slices on axis %d), got %d and %d",
			depth, s.axis, minT.NumElements(), maxT.NumElements())
	}
	return depth, inner, nil
}

// channel returns the index of element k of slice c: blocks of inner
// elements, depth blocks apart.
func channel(c, depth, inner int) func(k int) int {
	return func(k int) int { return (k/inner)*depth*inner + c*inner + k%inner }
}

// newQuantizeV2 makes QuantizeV2: float32 values to T with the range
// [min_range, max_range] (per slice along axis), widened to contain 0 and
// to be at least ensure_minimum_range wide, as TensorFlow's
// QuantizeV2Op does. output_min and output_max are the range used.
func newQuantizeV2(n *kernel.Node) (kernel.Kernel, error) {
	s, err := parseQuantSpec(n)
	if err != nil {
		return nil, err
	}
	round, err := n.Attrs.String("round_mode", "HALF_AWAY_FROM_ZERO")
	if err != nil {
		return nil, err
	}
	switch round {
	case "HALF_AWAY_FROM_ZERO":
	case "HALF_TO_EVEN":
		if s.mode != scaled {
			return nil, kernel.Invalid("attribute round_mode: 'HALF_TO_EVEN' is only supported for mode 'SCALED'")
		}
		s.halfToEven = true
	default:
		return nil, kernel.Invalid("attribute round_mode: must be 'HALF_AWAY_FROM_ZERO' or 'HALF_TO_EVEN', is %q", round)
	}
	if s.minRange, err = n.Attrs.Float("ensure_minimum_range", 0.01); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x := in[0]
		if x.DType() != tensor.Float32 {
			return nil, kernel.Invalid("input must be float32, got %v", x.DType())
		}
		depth, inner, err := s.slices(x, in[1], in[2])
		if err != nil {
			return nil, err
		}
		xv := tensor.Values[float32](x)
		mins, maxs := tensor.Values[float32](in[1]), tensor.Values[float32](in[2])
		rangeShape := tensor.Shape{}
		if s.axis != -1 {
			rangeShape = in[1].Shape()
		}
		outMin, outMax := tensor.MustNew(tensor.Float32, rangeShape), tensor.MustNew(tensor.Float32, rangeShape)
		omin, omax := tensor.Values[float32](outMin), tensor.Values[float32](outMax)
		q := make([]int64, len(xv))
		for c := 0; c < depth; c++ {
			if mins[c] > maxs[c] {
				return nil, kernel.Invalid("input_max_range must be larger than input_min_range: %v < %v", maxs[c], mins[c])
			}
			omin[c], omax[c] = s.quantizeSlice(xv, q, channel(c, depth, inner), len(xv)/max(depth, 1), mins[c], maxs[c])
		}
		out, err := s.quantized(x.Shape(), q)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out, outMin, outMax}, nil
	}, nil
}

// quantizeSlice quantizes the count elements at(0) … at(count−1) of xv
// into q and returns the range it used. Each step is float32 arithmetic
// in the order of TensorFlow's Eigen expressions; the explicit
// conversions keep Go from fusing a multiply and an add.
func (s quantSpec) quantizeSlice(xv []float32, q []int64, at func(int) int, count int, inMin, inMax float32) (float32, float32) {
	minR := min(0, inMin)
	eps := float32(max(1, max(abs32(inMin), abs32(inMax))) * s.minRange)
	maxR := max(0, max(inMax, float32(minR+eps)))
	clamp := func(v float32) float32 { return max(min(v, maxR), minR) }
	switch s.mode {
	case minCombined:
		scale := float32((float64(s.hiI) - float64(s.loI)) / float64(maxR-minR))
		half := s.halfRange()
		for k := range count {
			i := at(k)
			v := float32(float32(clamp(xv[i])-minR) * scale)
			if s.loI < 0 {
				q[i] = s.saturate(math.Round(float64(v - half)))
			} else {
				q[i] = s.saturate(math.Trunc(float64(v + 0.5)))
			}
		}
	case minFirst:
		// FloatToQuantizedStruct and QUANTIZE_WITH_EIGEN.
		steps := math.Ldexp(1, 8*s.dt.Size())
		scale := float32(0)
		if maxR != minR {
			scale = float32((steps - 1) / float64(maxR-minR))
		}
		minScaled := float32(math.Round(float64(float32(minR * scale))))
		offset := minScaled - s.lo
		lower, upper := max(s.lo, -2.147483648e+09), min(s.hi, 2.147483520e+09)
		for k := range count {
			i := at(k)
			v := float32(math.Round(float64(float32(xv[i]*scale)))) - offset
			q[i] = int64(max(min(v, upper), lower))
		}
	case scaled:
		minOut := s.lo
		if s.narrow {
			minOut++
		}
		fromMin, fromMax := float32(math.MaxFloat32), float32(math.MaxFloat32)
		if float32(minOut*minR) > 0 {
			fromMin = minOut / minR
		}
		if float32(s.hi*maxR) > 0 {
			fromMax = s.hi / maxR
		}
		scale := min(fromMin, fromMax)
		minR, maxR = minOut/scale, s.hi/scale
		round := math.Round
		if s.halfToEven {
			round = math.RoundToEven
		}
		for k := range count {
			i := at(k)
			q[i] = s.saturate(round(float64(float32(clamp(xv[i]) * scale))))
		}
	}
	return minR, maxR
}

// saturate converts a rounded value to T's range. TensorFlow casts
// without saturating; the value leaves the range only where float32
// rounding of qint32's limits pushes it one step out.
func (s quantSpec) saturate(v float64) int64 {
	return int64(max(min(v, float64(s.hiI)), float64(s.loI)))
}

// quantized makes a tensor of type T from integers within its range.
func (s quantSpec) quantized(shape tensor.Shape, q []int64) (*tensor.Tensor, error) {
	out := tensor.MustNew(s.dt, shape)
	switch v := out.Data().(type) {
	case []int8:
		convert(v, q)
	case []uint8:
		convert(v, q)
	case []int16:
		convert(v, q)
	case []uint16:
		convert(v, q)
	case []int32:
		convert(v, q)
	default:
		return nil, kernel.Unsupported("dtype %v", s.dt)
	}
	return out, nil
}

func convert[T int8 | uint8 | int16 | uint16 | int32](out []T, q []int64) {
	for i, v := range q {
		out[i] = T(v)
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// newDequantize makes Dequantize: T values back to float32 (or bfloat16,
// MIN_COMBINED only) with the range [min_range, max_range] per slice
// along axis, as TensorFlow's DequantizeOp does.
func newDequantize(n *kernel.Node) (kernel.Kernel, error) {
	s, err := parseQuantSpec(n)
	if err != nil {
		return nil, err
	}
	outType, err := n.Attrs.Type("dtype", tensor.Float32)
	if err != nil {
		return nil, err
	}
	switch {
	case outType == tensor.BFloat16 && s.mode != minCombined:
		return nil, kernel.Invalid("attribute mode: when dtype is bfloat16, mode must be 'MIN_COMBINED'")
	case outType != tensor.Float32 && outType != tensor.BFloat16:
		return nil, n.AttrError("dtype", kernel.Unsupported("%v", outType))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		x := in[0]
		if x.DType() != s.dt {
			return nil, kernel.Invalid("input must be %v, got %v", s.dt, x.DType())
		}
		depth, inner, err := s.slices(x, in[1], in[2])
		if err != nil {
			return nil, err
		}
		xv, err := tensor.Float64s(x)
		if err != nil {
			return nil, err
		}
		mins, maxs := tensor.Values[float32](in[1]), tensor.Values[float32](in[2])
		out := make([]float32, len(xv))
		for c := 0; c < depth; c++ {
			s.dequantizeSlice(xv, out, channel(c, depth, inner), len(xv)/max(depth, 1), mins[c], maxs[c])
		}
		if outType == tensor.BFloat16 {
			b := make([]tensor.BF16, len(out))
			for i, v := range out {
				b[i] = tensor.NewBF16(v)
			}
			return []*tensor.Tensor{tensor.MustFromSlice(x.Shape(), b)}, nil
		}
		return []*tensor.Tensor{tensor.MustFromSlice(x.Shape(), out)}, nil
	}, nil
}

// dequantizeSlice is DequantizeTensor and DequantizeSlice, in float32.
func (s quantSpec) dequantizeSlice(xv []float64, out []float32, at func(int) int, count int, minR, maxR float32) {
	switch s.mode {
	case minCombined:
		scale := (maxR - minR) / (s.hi - s.lo)
		half := s.halfRange()
		for k := range count {
			i := at(k)
			out[i] = float32(float32(float32(xv[i])+half)*scale) + minR
		}
	case minFirst:
		// QuantizedToFloatStruct and DEQUANTIZE_WITH_EIGEN.
		steps := math.Ldexp(1, 8*s.dt.Size())
		scale := float32(float64(maxR-minR) / (steps - 1))
		minRounded := minR
		if maxR != minR {
			minRounded = float32(float32(math.Round(float64(minR/scale))) * scale)
		}
		base := minRounded - float32(s.lo*scale)
		for k := range count {
			i := at(k)
			out[i] = base + float32(float32(xv[i])*scale)
		}
	case scaled:
		minOut := s.lo
		if s.narrow {
			minOut++
		}
		scale := maxR / s.hi
		if s.loI != 0 {
			scale = max(minR/minOut, maxR/s.hi)
		}
		for k := range count {
			i := at(k)
			out[i] = float32(xv[i]) * scale
		}
	}
}
