package audio

import (
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// The spectral ops (fft_ops.cc): FFT and IFFT transform the innermost
// dimension of a complex tensor; RFFT transforms real rows cropped or
// zero-padded to fft_length and keeps the fft_length/2+1 non-negative
// frequencies; IRFFT rebuilds the full spectrum from those by Hermitian
// symmetry and returns the fft_length real samples. Inverses scale by
// 1/n, as Eigen's FFT_REVERSE. Transforms run in complex128 whatever the
// dtype: radix 2 for powers of two, Bluestein's chirp-z otherwise.

var (
	complexTypes = kernel.ComplexTypes()
	realFFTTypes = []tensor.DType{tensor.Float32, tensor.Float64}
)

// dft computes X[k] = Σ x[j] exp(∓2πijk/n) of x in place (inverse:
// the + sign, without the 1/n).
func dft(x []complex128, inverse bool) {
	n := len(x)
	switch {
	case n <= 1:
	case n&(n-1) == 0:
		radix2(x, inverse)
	default:
		bluestein(x, inverse)
	}
}

// radix2 is the iterative Cooley-Tukey FFT for len(x) a power of two.
func radix2(x []complex128, inverse bool) {
	n := len(x)
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range n {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := sign * 2 * math.Pi / float64(size)
		for k := range half {
			w := cmplx.Rect(1, step*float64(k))
			for start := 0; start < n; start += size {
				a, b := x[start+k], x[start+k+half]*w
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
}

// bluestein computes a DFT of any length as a convolution with a chirp,
// done with power-of-two FFTs.
func bluestein(x []complex128, inverse bool) {
	n := len(x)
	m := nextPowerOfTwo(2*n - 1)
	sign := -1.0
	if inverse {
		sign = 1
	}
	chirp := make([]complex128, n)
	for k := range n {
		// k² mod 2n keeps the angle exact for large k.
		kk := (uint64(k) * uint64(k)) % uint64(2*n)
		chirp[k] = cmplx.Rect(1, sign*math.Pi*float64(kk)/float64(n))
	}
	a := make([]complex128, m)
	b := make([]complex128, m)
	for k := range n {
		a[k] = x[k] * chirp[k]
	}
	b[0] = cmplx.Conj(chirp[0])
	for k := 1; k < n; k++ {
		b[k] = cmplx.Conj(chirp[k])
		b[m-k] = b[k]
	}
	radix2(a, false)
	radix2(b, false)
	for i := range a {
		a[i] *= b[i]
	}
	radix2(a, true)
	for k := range n {
		x[k] = a[k] / complex(float64(m), 0) * chirp[k]
	}
}

// complexRows returns a complex tensor's values as complex128.
func complexRows(t *tensor.Tensor) ([]complex128, error) {
	switch v := t.Data().(type) {
	case []complex128:
		return append([]complex128(nil), v...), nil
	case []complex64:
		out := make([]complex128, len(v))
		for i, c := range v {
			out[i] = complex128(c)
		}
		return out, nil
	}
	return nil, kernel.Invalid("input must be complex64 or complex128, not %v", t.DType())
}

// realRows returns a float32 or float64 tensor's values as float64.
func realRows(t *tensor.Tensor) ([]float64, error) {
	switch v := t.Data().(type) {
	case []float64:
		return v, nil
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out, nil
	}
	return nil, kernel.Invalid("input must be float32 or float64, not %v", t.DType())
}

// fromComplex builds a tensor of dtype dt (complex64 or complex128).
func fromComplex(dt tensor.DType, shape tensor.Shape, v []complex128) (*tensor.Tensor, error) {
	if dt == tensor.Complex128 {
		return tensor.FromSlice(shape, v)
	}
	out := make([]complex64, len(v))
	for i, c := range v {
		out[i] = complex64(c)
	}
	return tensor.FromSlice(shape, out)
}

// innerRows splits a shape of rank ≥ 1 into the number of rows and the
// innermost length.
func innerRows(s tensor.Shape, op string) (rows, n int, err error) {
	if len(s) < 1 {
		return 0, 0, kernel.Invalid("%s: input must have rank at least 1, got shape %v", op, s)
	}
	n = s[len(s)-1]
	if n == 0 {
		return 0, 0, nil
	}
	return s.NumElements() / n, n, nil
}

// newFFT prepares FFT (inverse false) or IFFT.
func newFFT(inverse bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "Tcomplex", complexTypes); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			x, err := complexRows(in[0])
			if err != nil {
				return nil, nodeErr(n, err)
			}
			rows, size, err := innerRows(in[0].Shape(), n.Op())
			if err != nil {
				return nil, nodeErr(n, err)
			}
			for r := range rows {
				row := x[r*size : (r+1)*size]
				dft(row, inverse)
				if inverse {
					for i := range row {
						row[i] /= complex(float64(size), 0)
					}
				}
			}
			out, err := fromComplex(in[0].DType(), in[0].Shape().Clone(), x)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func nodeErr(n *kernel.Node, err error) error {
	return fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
}

// fftLength reads RFFT's and IRFFT's fft_length input: one int32 ≥ 0.
func fftLength(t *tensor.Tensor) (int, error) {
	if t.Rank() != 1 || t.NumElements() != 1 {
		return 0, kernel.Invalid("fft_length must be length 1 vector, got shape %v", t.Shape())
	}
	v, err := kernel.Ints(t)
	if err != nil {
		return 0, kernel.Invalid("fft_length: %v", err)
	}
	if v[0] < 0 {
		return 0, kernel.Invalid("fft_length must be non-negative, got %d", v[0])
	}
	return v[0], nil
}

// outShape is s with its innermost dimension replaced by n, checked
// against the memory budget for dt.
func outShape(s tensor.Shape, n int, dt tensor.DType) (tensor.Shape, error) {
	out := s.Clone()
	out[len(out)-1] = n
	return out, tensor.CheckAlloc(dt, out)
}

// newRFFT prepares RFFT (attributes Treal, Tcomplex).
func newRFFT(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "Treal", realFFTTypes); err != nil {
		return nil, err
	}
	if err := kernel.CheckTypeAttr(n, "Tcomplex", complexTypes); err != nil {
		return nil, err
	}
	ct, err := n.Attrs.Type("Tcomplex", tensor.Complex64)
	if err != nil {
		return nil, n.AttrError("Tcomplex", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := rfft(in[0], in[1], ct)
		if err != nil {
			return nil, nodeErr(n, err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func rfft(input, lengthT *tensor.Tensor, ct tensor.DType) (*tensor.Tensor, error) {
	fftLen, err := fftLength(lengthT)
	if err != nil {
		return nil, err
	}
	x, err := realRows(input)
	if err != nil {
		return nil, err
	}
	rows, size, err := innerRows(input.Shape(), "RFFT")
	if err != nil {
		return nil, err
	}
	bins := 0
	if fftLen > 0 {
		bins = fftLen/2 + 1
	}
	shape, err := outShape(input.Shape(), bins, ct)
	if err != nil {
		return nil, err
	}
	out := make([]complex128, shape.NumElements())
	if bins > 0 && size > 0 {
		buf := make([]complex128, fftLen)
		for r := range rows {
			clear(buf)
			for i := range min(size, fftLen) {
				buf[i] = complex(x[r*size+i], 0)
			}
			dft(buf, false)
			copy(out[r*bins:(r+1)*bins], buf[:bins])
		}
	}
	return fromComplex(ct, shape, out)
}

// newIRFFT prepares IRFFT (attributes Treal, Tcomplex).
func newIRFFT(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "Treal", realFFTTypes); err != nil {
		return nil, err
	}
	if err := kernel.CheckTypeAttr(n, "Tcomplex", complexTypes); err != nil {
		return nil, err
	}
	rt, err := n.Attrs.Type("Treal", tensor.Float32)
	if err != nil {
		return nil, n.AttrError("Treal", err)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := irfft(in[0], in[1], rt)
		if err != nil {
			return nil, nodeErr(n, err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func irfft(input, lengthT *tensor.Tensor, rt tensor.DType) (*tensor.Tensor, error) {
	fftLen, err := fftLength(lengthT)
	if err != nil {
		return nil, err
	}
	x, err := complexRows(input)
	if err != nil {
		return nil, err
	}
	rows, size, err := innerRows(input.Shape(), "IRFFT")
	if err != nil {
		return nil, err
	}
	shape, err := outShape(input.Shape(), fftLen, rt)
	if err != nil {
		return nil, err
	}
	out := make([]float64, shape.NumElements())
	if fftLen > 0 && size > 0 {
		bins := fftLen/2 + 1
		buf := make([]complex128, fftLen)
		for r := range rows {
			clear(buf)
			copy(buf[:min(bins, size)], x[r*size:r*size+min(bins, size)])
			for k := bins; k < fftLen; k++ {
				buf[k] = cmplx.Conj(buf[fftLen-k])
			}
			dft(buf, true)
			for i := range fftLen {
				out[r*fftLen+i] = real(buf[i]) / float64(fftLen)
			}
		}
	}
	if rt == tensor.Float64 {
		return tensor.FromSlice(shape, out)
	}
	f := make([]float32, len(out))
	for i, v := range out {
		f[i] = float32(v)
	}
	return tensor.FromSlice(shape, f)
}
