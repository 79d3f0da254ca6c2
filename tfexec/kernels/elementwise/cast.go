package elementwise

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// castable reports whether Cast supports dt as a source or destination:
// TensorFlow's CPU kernel handles bool and every number type, not strings.
func castable(dt tensor.DType) bool {
	return dt == tensor.Bool || dt.IsNumeric()
}

// newCast prepares Cast from SrcT to DstT, honouring Truncate.
func newCast(n *kernel.Node) (kernel.Kernel, error) {
	src, err := n.Attrs.Type("SrcT", tensor.Invalid)
	if err != nil {
		return nil, err
	}
	dst, err := n.Attrs.Type("DstT", tensor.Invalid)
	if err != nil {
		return nil, err
	}
	trunc, err := n.Attrs.Bool("Truncate", false)
	if err != nil {
		return nil, err
	}
	if !n.Attrs.Has("DstT") {
		return nil, kernel.Invalid("attribute \"DstT\" is missing")
	}
	if n.Attrs.Has("SrcT") && !castable(src) {
		return nil, kernel.Unsupported("Cast %v to %v (attribute \"SrcT\")", src, dst)
	}
	if !castable(dst) && src != dst {
		return nil, kernel.Unsupported("Cast %v to %v (attribute \"DstT\")", src, dst)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if x.DType() == dst {
			return []*tensor.Tensor{x}, nil
		}
		if !castable(x.DType()) {
			return nil, kernel.Unsupported("Cast %v to %v", x.DType(), dst)
		}
		out, err := castTensor(x, dst, trunc)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// castTensor converts x to dt. Every source element is first widened
// exactly to a canonical form (int64 for signed integers and bool, uint64
// for unsigned, float64 for real floats, complex128 for complex) and then
// converted, which gives the same result as a direct C++ static_cast for
// every pair TensorFlow's CPU Cast supports.
func castTensor(x *tensor.Tensor, dt tensor.DType, truncate bool) (*tensor.Tensor, error) {
	out, err := tensor.New(dt, x.Shape())
	if err != nil {
		return nil, err
	}
	n := x.NumElements()
	mask32, mask64 := truncationMasks(x.DType(), dt, truncate)
	if mask32 == 0 && mask64 == 0 && directCast(x.Data(), out.Data()) {
		return out, nil
	}
	kernel.ParallelFor(n, costDiv, func(lo, hi int) {
		var (
			iv [chunk]int64
			uv [chunk]uint64
			fv [chunk]float64
			cv [chunk]complex128
		)
		for i := lo; i < hi; i += chunk {
			j := min(i+chunk, hi)
			m := j - i
			switch s := x.Data().(type) {
			case []bool:
				for k, v := range s[i:j] {
					iv[k] = 0
					if v {
						iv[k] = 1
					}
				}
				writeInts(out.Data(), i, iv[:m])
			case []int8:
				widen(iv[:m], s[i:j])
				writeInts(out.Data(), i, iv[:m])
			case []int16:
				widen(iv[:m], s[i:j])
				writeInts(out.Data(), i, iv[:m])
			case []int32:
				widen(iv[:m], s[i:j])
				writeInts(out.Data(), i, iv[:m])
			case []int64:
				writeInts(out.Data(), i, s[i:j])
			case []uint8:
				widen(uv[:m], s[i:j])
				writeInts(out.Data(), i, uv[:m])
			case []uint16:
				widen(uv[:m], s[i:j])
				writeInts(out.Data(), i, uv[:m])
			case []uint32:
				widen(uv[:m], s[i:j])
				writeInts(out.Data(), i, uv[:m])
			case []uint64:
				writeInts(out.Data(), i, s[i:j])
			case []float32:
				for k, v := range s[i:j] {
					fv[k] = float64(truncate32(v, mask32))
				}
				writeFloats(out.Data(), i, fv[:m])
			case []tensor.F16:
				for k, v := range s[i:j] {
					fv[k] = float64(v.Float32())
				}
				writeFloats(out.Data(), i, fv[:m])
			case []tensor.BF16:
				for k, v := range s[i:j] {
					fv[k] = float64(v.Float32())
				}
				writeFloats(out.Data(), i, fv[:m])
			case []float64:
				for k, v := range s[i:j] {
					fv[k] = truncate64(v, mask64)
				}
				writeFloats(out.Data(), i, fv[:m])
			case []complex64:
				for k, v := range s[i:j] {
					cv[k] = complex(float64(truncate32(real(v), mask32)), float64(truncate32(imag(v), mask32)))
				}
				writeComplexes(out.Data(), i, cv[:m])
			case []complex128:
				for k, v := range s[i:j] {
					cv[k] = complex(truncate64(real(v), mask64), truncate64(imag(v), mask64))
				}
				writeComplexes(out.Data(), i, cv[:m])
			}
		}
	})
	return out, nil
}

// directCast converts between integer and real float types without the
// canonical staging, for the common casts (uint8 images to float32,
// indices to float, float to int32). It reports false for other pairs.
func directCast(src, dst any) bool {
	switch s := src.(type) {
	case []int8:
		return castFromInt(s, dst)
	case []int16:
		return castFromInt(s, dst)
	case []int32:
		return castFromInt(s, dst)
	case []int64:
		return castFromInt(s, dst)
	case []uint8:
		return castFromInt(s, dst)
	case []uint16:
		return castFromInt(s, dst)
	case []uint32:
		return castFromInt(s, dst)
	case []uint64:
		return castFromInt(s, dst)
	case []float32:
		return castFromFloat(s, dst)
	case []float64:
		return castFromFloat(s, dst)
	}
	return false
}

// castFromInt converts integers with Go conversions, which wrap between
// integer types and round to nearest even into floats, like static_cast.
func castFromInt[S integerT](src []S, dst any) bool {
	switch d := dst.(type) {
	case []int8:
		convertPar(d, src, func(dd []int8, ss []S) { each(dd, ss, func(v S) int8 { return int8(v) }) })
	case []int16:
		convertPar(d, src, func(dd []int16, ss []S) { each(dd, ss, func(v S) int16 { return int16(v) }) })
	case []int32:
		convertPar(d, src, func(dd []int32, ss []S) { each(dd, ss, func(v S) int32 { return int32(v) }) })
	case []int64:
		convertPar(d, src, func(dd []int64, ss []S) { each(dd, ss, func(v S) int64 { return int64(v) }) })
	case []uint8:
		convertPar(d, src, func(dd []uint8, ss []S) { each(dd, ss, func(v S) uint8 { return uint8(v) }) })
	case []uint16:
		convertPar(d, src, func(dd []uint16, ss []S) { each(dd, ss, func(v S) uint16 { return uint16(v) }) })
	case []uint32:
		convertPar(d, src, func(dd []uint32, ss []S) { each(dd, ss, func(v S) uint32 { return uint32(v) }) })
	case []uint64:
		convertPar(d, src, func(dd []uint64, ss []S) { each(dd, ss, func(v S) uint64 { return uint64(v) }) })
	case []float32:
		convertPar(d, src, func(dd []float32, ss []S) { each(dd, ss, func(v S) float32 { return float32(v) }) })
	case []float64:
		convertPar(d, src, func(dd []float64, ss []S) { each(dd, ss, func(v S) float64 { return float64(v) }) })
	default:
		return false
	}
	return true
}

// castFromFloat converts floats to floats (rounding to nearest even) and
// to integers with the x86-64 truncating conversions.
func castFromFloat[S floatT](src []S, dst any) bool {
	switch d := dst.(type) {
	case []int8:
		convertPar(d, src, func(dd []int8, ss []S) { each(dd, ss, func(v S) int8 { return int8(cvtt32(float64(v))) }) })
	case []int16:
		convertPar(d, src, func(dd []int16, ss []S) { each(dd, ss, func(v S) int16 { return int16(cvtt32(float64(v))) }) })
	case []int32:
		convertPar(d, src, func(dd []int32, ss []S) { each(dd, ss, func(v S) int32 { return cvtt32(float64(v)) }) })
	case []int64:
		convertPar(d, src, func(dd []int64, ss []S) { each(dd, ss, func(v S) int64 { return cvtt64(float64(v)) }) })
	case []uint8:
		convertPar(d, src, func(dd []uint8, ss []S) { each(dd, ss, func(v S) uint8 { return uint8(cvtt32(float64(v))) }) })
	case []uint16:
		convertPar(d, src, func(dd []uint16, ss []S) { each(dd, ss, func(v S) uint16 { return uint16(cvtt32(float64(v))) }) })
	case []uint32:
		convertPar(d, src, func(dd []uint32, ss []S) { each(dd, ss, func(v S) uint32 { return uint32(cvtt64(float64(v))) }) })
	case []uint64:
		convertPar(d, src, func(dd []uint64, ss []S) { each(dd, ss, func(v S) uint64 { return cvttu64(float64(v)) }) })
	case []float32:
		convertPar(d, src, func(dd []float32, ss []S) { each(dd, ss, func(v S) float32 { return float32(v) }) })
	case []float64:
		convertPar(d, src, func(dd []float64, ss []S) { each(dd, ss, func(v S) float64 { return float64(v) }) })
	default:
		return false
	}
	return true
}

// convertPar runs a conversion loop over src in parallel. The loop, not a
// scalar function, is the argument so that the conversion is inlined.
func convertPar[S, D any](dst []D, src []S, loop unLoop[S, D]) {
	kernel.ParallelFor(len(dst), costCheap, func(lo, hi int) { loop(dst[lo:hi], src[lo:hi]) })
}

func widen[S integerT, D int64 | uint64](dst []D, src []S) {
	for i, v := range src[:len(dst)] {
		dst[i] = D(v)
	}
}

// truncationMasks returns the mantissa bits Truncate=true zeroes for a
// float32 or float64 source value: the bits the destination type cannot
// hold, for the narrowing float conversions TensorFlow truncates (float64
// to float32, half or complex64; float32 to half or bfloat16; and their
// complex sources). Other pairs round as usual.
func truncationMasks(src, dst tensor.DType, truncate bool) (uint32, uint64) {
	if !truncate {
		return 0, 0
	}
	switch src {
	case tensor.Float32, tensor.Complex64:
		switch dst {
		case tensor.Float16:
			return 1<<13 - 1, 0
		case tensor.BFloat16:
			if src == tensor.Float32 {
				return 1<<16 - 1, 0
			}
		}
	case tensor.Float64, tensor.Complex128:
		switch dst {
		case tensor.Float32, tensor.Complex64:
			return 0, 1<<29 - 1
		case tensor.Float16:
			return 0, 1<<42 - 1
		}
	}
	return 0, 0
}

func truncate32(v float32, mask uint32) float32 {
	if mask == 0 || v != v {
		return v
	}
	return math.Float32frombits(math.Float32bits(v) &^ mask)
}

func truncate64(v float64, mask uint64) float64 {
	if mask == 0 || v != v {
		return v
	}
	return math.Float64frombits(math.Float64bits(v) &^ mask)
}

// writeInts converts integers (int64, or uint64 for unsigned sources;
// bools arrive as 0/1) into dst[off:]. Integer narrowing wraps, as
// static_cast does.
func writeInts[S int64 | uint64](dst any, off int, v []S) {
	switch d := dst.(type) {
	case []bool:
		for i, x := range v {
			d[off+i] = x != 0
		}
	case []int8:
		narrow(d[off:], v)
	case []int16:
		narrow(d[off:], v)
	case []int32:
		narrow(d[off:], v)
	case []int64:
		narrow(d[off:], v)
	case []uint8:
		narrow(d[off:], v)
	case []uint16:
		narrow(d[off:], v)
	case []uint32:
		narrow(d[off:], v)
	case []uint64:
		narrow(d[off:], v)
	case []float32:
		toFloat(d[off:], v)
	case []float64:
		toFloat(d[off:], v)
	case []tensor.F16:
		for i, x := range v {
			d[off+i] = tensor.NewF16(float32(x))
		}
	case []tensor.BF16:
		for i, x := range v {
			d[off+i] = tensor.NewBF16(float32(x))
		}
	case []complex64:
		for i, x := range v {
			d[off+i] = complex(float32(x), 0)
		}
	case []complex128:
		for i, x := range v {
			d[off+i] = complex(float64(x), 0)
		}
	}
}

func narrow[S int64 | uint64, D integerT](dst []D, src []S) {
	for i, x := range src {
		dst[i] = D(x)
	}
}

func toFloat[S int64 | uint64, D floatT](dst []D, src []S) {
	for i, x := range src {
		dst[i] = D(x)
	}
}

// writeFloats converts real float values into dst[off:]. Conversions to
// half and bfloat16 go through float32, as Eigen's do.
func writeFloats(dst any, off int, v []float64) {
	switch d := dst.(type) {
	case []bool:
		for i, x := range v {
			d[off+i] = x != 0
		}
	case []int8:
		for i, x := range v {
			d[off+i] = int8(cvtt32(x))
		}
	case []int16:
		for i, x := range v {
			d[off+i] = int16(cvtt32(x))
		}
	case []int32:
		for i, x := range v {
			d[off+i] = cvtt32(x)
		}
	case []int64:
		for i, x := range v {
			d[off+i] = cvtt64(x)
		}
	case []uint8:
		for i, x := range v {
			d[off+i] = uint8(cvtt32(x))
		}
	case []uint16:
		for i, x := range v {
			d[off+i] = uint16(cvtt32(x))
		}
	case []uint32:
		for i, x := range v {
			d[off+i] = uint32(cvtt64(x))
		}
	case []uint64:
		for i, x := range v {
			d[off+i] = cvttu64(x)
		}
	case []float32:
		for i, x := range v {
			d[off+i] = float32(x)
		}
	case []float64:
		copy(d[off:], v)
	case []tensor.F16:
		for i, x := range v {
			d[off+i] = tensor.NewF16(float32(x))
		}
	case []tensor.BF16:
		for i, x := range v {
			d[off+i] = tensor.NewBF16(float32(x))
		}
	case []complex64:
		for i, x := range v {
			d[off+i] = complex(float32(x), 0)
		}
	case []complex128:
		for i, x := range v {
			d[off+i] = complex(x, 0)
		}
	}
}

// writeComplexes converts complex values into dst[off:]; real
// destinations take the real part, like NumPy.
func writeComplexes(dst any, off int, v []complex128) {
	switch d := dst.(type) {
	case []complex64:
		for i, x := range v {
			d[off+i] = complex64(x)
		}
	case []complex128:
		copy(d[off:], v)
	default:
		var re [chunk]float64
		for i, x := range v {
			re[i] = real(x)
		}
		writeFloats(dst, off, re[:len(v)])
	}
}

// cvtt32 is x86-64's cvttsd2si into a 32-bit register: truncation toward
// zero, with NaN and out-of-range values giving math.MinInt32. C++
// compilers narrow float to int8, int16, uint8 and uint16 through it.
func cvtt32(x float64) int32 {
	if x > -2147483649.0 && x < 2147483648.0 {
		return int32(x)
	}
	return math.MinInt32
}

// cvtt64 is cvttsd2si into a 64-bit register; compilers also use it for
// float to uint32, keeping the low 32 bits.
func cvtt64(x float64) int64 {
	if x >= -0x1p63 && x < 0x1p63 {
		return int64(x)
	}
	return math.MinInt64
}

// cvttu64 is the sequence x86-64 compilers emit for float to uint64
// without AVX-512: values below 2⁶³ convert signed, larger ones are
// shifted down by 2⁶³ and get the top bit back; NaN gives 0.
func cvttu64(x float64) uint64 {
	if x < 0x1p63 {
		return uint64(cvtt64(x))
	}
	return uint64(cvtt64(x-0x1p63)) ^ (1 << 63)
}
