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
// dimension of a complex tensor (FFT2D and FFT3D the two or three
// innermost); RFFT transforms real rows cropped or zero-padded to
// fft_length and keeps the fft_length/2+1 non-negative frequencies of
// the innermost dimension; IRFFT rebuilds the full spectrum from those by
// Hermitian symmetry and returns the fft_length real samples. Inverses scale by
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

// newFFT prepares FFT, FFT2D or FFT3D (rank 1, 2 or 3; inverse: the
// IFFT forms): the DFT over the rank innermost dimensions.
func newFFT(rank int, inverse bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := kernel.CheckTypeAttr(n, "Tcomplex", complexTypes); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			shape := in[0].Shape()
			if len(shape) < rank {
				return nil, nodeErr(n, kernel.Invalid("input must have rank at least %d, got shape %v", rank, shape))
			}
			x, err := complexRows(in[0])
			if err != nil {
				return nil, nodeErr(n, err)
			}
			size := 1
			for axis := len(shape) - rank; axis < len(shape); axis++ {
				transformAxis(x, shape, axis, inverse)
				size *= shape[axis]
			}
			if inverse && size > 0 {
				for i := range x {
					x[i] /= complex(float64(size), 0)
				}
			}
			out, err := fromComplex(in[0].DType(), shape.Clone(), x)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// transformAxis runs dft along one axis of x, a row-major tensor of
// the given shape.
func transformAxis(x []complex128, shape tensor.Shape, axis int, inverse bool) {
	n := shape[axis]
	if n <= 1 || len(x) == 0 {
		return
	}
	stride := 1
	for _, d := range shape[axis+1:] {
		stride *= d
	}
	outer := len(x) / (n * stride)
	buf := make([]complex128, n)
	for o := range outer {
		for s := range stride {
			base := o*n*stride + s
			for i := range n {
				buf[i] = x[base+i*stride]
			}
			dft(buf, inverse)
			for i := range n {
				x[base+i*stride] = buf[i]
			}
		}
	}
}

func nodeErr(n *kernel.Node, err error) error {
	return fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
}

// fftLengths reads the fft_length input of RFFT and IRFFT (and their 2-D
// and 3-D forms): rank int32s ≥ 0.
func fftLengths(t *tensor.Tensor, rank int) ([]int, error) {
	if t.Rank() != 1 || t.NumElements() != rank {
		return nil, kernel.Invalid("fft_length must be length %d vector, got shape %v", rank, t.Shape())
	}
	v, err := kernel.Ints(t)
	if err != nil {
		return nil, kernel.Invalid("fft_length: %v", err)
	}
	for _, d := range v {
		if d < 0 {
			return nil, kernel.Invalid("fft_length must be non-negative, got %v", v)
		}
	}
	return v, nil
}

// resized copies the rank innermost dimensions of x (shape in) into a
// zeroed tensor whose innermost dimensions are dims: each cropped or
// zero-padded, as fft_ops.cc slices and pads its input.
func resized[T any](x []T, in tensor.Shape, dims []int) ([]T, tensor.Shape, error) {
	rank := len(dims)
	out := in.Clone()
	copy(out[len(out)-rank:], dims)
	if err := tensor.CheckAlloc(tensor.Complex128, out); err != nil {
		return nil, nil, err
	}
	y := make([]T, out.NumElements())
	if len(y) == 0 || len(x) == 0 {
		return y, out, nil
	}
	inStrides, outStrides := in.Strides(), out.Strides()
	idx := make([]int, len(in))
	for i := range x {
		rem := i
		keep := true
		for d := range in {
			idx[d] = rem / inStrides[d]
			rem %= inStrides[d]
			if idx[d] >= out[d] {
				keep = false
			}
		}
		if !keep {
			continue
		}
		j := 0
		for d := range idx {
			j += idx[d] * outStrides[d]
		}
		y[j] = x[i]
	}
	return y, out, nil
}

// newRFFT prepares RFFT, RFFT2D or RFFT3D (attributes Treal, Tcomplex).
func newRFFT(rank int) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
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
			out, err := rfft(in[0], in[1], rank, ct)
			if err != nil {
				return nil, nodeErr(n, err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func rfft(input, lengthT *tensor.Tensor, rank int, ct tensor.DType) (*tensor.Tensor, error) {
	if input.Rank() < rank {
		return nil, kernel.Invalid("input must have rank at least %d, got shape %v", rank, input.Shape())
	}
	dims, err := fftLengths(lengthT, rank)
	if err != nil {
		return nil, err
	}
	x, err := realRows(input)
	if err != nil {
		return nil, err
	}
	c := make([]complex128, len(x))
	for i, v := range x {
		c[i] = complex(v, 0)
	}
	full, shape, err := resized(c, input.Shape(), dims)
	if err != nil {
		return nil, err
	}
	last := len(shape) - 1
	transformAxis(full, shape, last, false)
	bins := 0
	if dims[rank-1] > 0 {
		bins = dims[rank-1]/2 + 1
	}
	half := shape.Clone()
	half[last] = bins
	out, _, err := resized(full, shape, append(dims[:rank-1:rank-1], bins))
	if err != nil {
		return nil, err
	}
	for axis := len(shape) - rank; axis < last; axis++ {
		transformAxis(out, half, axis, false)
	}
	return fromComplex(ct, half, out)
}

// newIRFFT prepares IRFFT, IRFFT2D or IRFFT3D (attributes Treal,
// Tcomplex).
func newIRFFT(rank int) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
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
			out, err := irfft(in[0], in[1], rank, rt)
			if err != nil {
				return nil, nodeErr(n, err)
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func irfft(input, lengthT *tensor.Tensor, rank int, rt tensor.DType) (*tensor.Tensor, error) {
	if input.Rank() < rank {
		return nil, kernel.Invalid("input must have rank at least %d, got shape %v", rank, input.Shape())
	}
	dims, err := fftLengths(lengthT, rank)
	if err != nil {
		return nil, err
	}
	x, err := complexRows(input)
	if err != nil {
		return nil, err
	}
	nLast := dims[rank-1]
	bins := 0
	if nLast > 0 {
		bins = nLast/2 + 1
	}
	spec, shape, err := resized(x, input.Shape(), append(dims[:rank-1:rank-1], bins))
	if err != nil {
		return nil, err
	}
	last := len(shape) - 1
	for axis := len(shape) - rank; axis < last; axis++ {
		transformAxis(spec, shape, axis, true)
	}
	outShape := shape.Clone()
	outShape[last] = nLast
	if err := tensor.CheckAlloc(rt, outShape); err != nil {
		return nil, err
	}
	out := make([]float64, outShape.NumElements())
	scale := float64(outShape[len(outShape)-rank:].NumElements())
	if nLast > 0 && bins > 0 {
		rows := len(spec) / bins
		buf := make([]complex128, nLast)
		for r := range rows {
			clear(buf)
			copy(buf[:bins], spec[r*bins:(r+1)*bins])
			for k := bins; k < nLast; k++ {
				buf[k] = cmplx.Conj(buf[nLast-k])
			}
			dft(buf, true)
			for i := range nLast {
				out[r*nLast+i] = real(buf[i]) / scale
			}
		}
	}
	if rt == tensor.Float64 {
		return tensor.FromSlice(outShape, out)
	}
	f := make([]float32, len(out))
	for i, v := range out {
		f[i] = float32(v)
	}
	return tensor.FromSlice(outShape, f)
}
