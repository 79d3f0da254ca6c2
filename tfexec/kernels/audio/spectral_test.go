package audio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tfjsSpectral is testdata/tfjs_spectral.json, written by tfjs_spectral.js
// with TensorFlow.js.
type tfjsSpectral struct {
	Complex []struct {
		Shape          []int
		Re, Im         []float64
		FFTRe, FFTIm   []float64
		IFFTRe, IFFTIm []float64
	}
	Multi []struct {
		Shape          []int
		Rank           int
		Re, Im         []float64
		FFTRe, FFTIm   []float64
		IFFTRe, IFFTIm []float64
	}
	RealMulti []struct {
		Shape          []int
		FFTLength      []int32
		X              []float64
		RFFTShape      []int
		RFFTRe, RFFTIm []float64
		IRFFT          []float64
	}
	Real []struct {
		Shape          []int
		FFTLength      int
		X              []float64
		RFFTRe, RFFTIm []float64
		Bins           int
		IRFFTLength    int
		IRFFT          []float64
	}
}

func spectralOp(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)[0]
}

func complexOf(shape tensor.Shape, re, im []float64, dt tensor.DType) *tensor.Tensor {
	v := make([]complex128, len(re))
	for i := range re {
		v[i] = complex(re[i], im[i])
	}
	t, err := fromComplex(dt, shape, v)
	if err != nil {
		panic(err)
	}
	return t
}

// TensorFlow.js computes in float32: agreement is to float32 rounding.
var spectralTol = tensor.Tolerance{RTol: 1e-4, ATol: 1e-5}

func TestSpectralAgainstTFJS(t *testing.T) {
	var ref tfjsSpectral
	kerneltest.ReadJSON(t, "testdata/tfjs_spectral.json", &ref)
	require.GreaterOrEqual(t, len(ref.Complex), 6)
	require.GreaterOrEqual(t, len(ref.Real), 5)
	for _, c := range ref.Complex {
		shape := tensor.Shape(c.Shape)
		for _, dt := range complexTypes {
			x := complexOf(shape, c.Re, c.Im, dt)
			got := spectralOp(t, "FFT", map[string]any{"Tcomplex": dt}, x)
			assert.NoError(t, tensor.Compare(got, complexOf(shape, c.FFTRe, c.FFTIm, dt), spectralTol), "FFT %v %v", shape, dt)
			got = spectralOp(t, "IFFT", map[string]any{"Tcomplex": dt}, x)
			assert.NoError(t, tensor.Compare(got, complexOf(shape, c.IFFTRe, c.IFFTIm, dt), spectralTol), "IFFT %v %v", shape, dt)
		}
	}
	for _, c := range ref.Real {
		shape := tensor.Shape(c.Shape)
		outShape := tensor.Shape{shape[0], c.Bins}
		for _, rt := range realFFTTypes {
			for _, ct := range complexTypes {
				x := kerneltest.Values(rt, shape, c.X...)
				attrs := map[string]any{"Treal": rt, "Tcomplex": ct}
				got := spectralOp(t, "RFFT", attrs, x, kerneltest.Vector(int32(c.FFTLength)))
				want := complexOf(outShape, c.RFFTRe, c.RFFTIm, ct)
				assert.NoError(t, tensor.Compare(got, want, spectralTol), "RFFT %v to %d", shape, c.FFTLength)
				back := spectralOp(t, "IRFFT", attrs, want, kerneltest.Vector(int32(c.IRFFTLength)))
				wantBack := kerneltest.Values(rt, tensor.Shape{shape[0], c.IRFFTLength}, c.IRFFT...)
				assert.NoError(t, tensor.Compare(back, wantBack, spectralTol), "IRFFT %v to %d", outShape, c.IRFFTLength)
			}
		}
	}
}

// The 2-D and 3-D transforms against TensorFlow.js's 1-D FFT along each
// axis (tfjs_spectral.js composes them).
func TestSpectralMultiAgainstTFJS(t *testing.T) {
	var ref tfjsSpectral
	kerneltest.ReadJSON(t, "testdata/tfjs_spectral.json", &ref)
	require.Len(t, ref.Multi, 4)
	require.Len(t, ref.RealMulti, 4)
	suffix := map[int]string{2: "2D", 3: "3D"}
	for _, c := range ref.Multi {
		shape := tensor.Shape(c.Shape)
		for _, dt := range complexTypes {
			x := complexOf(shape, c.Re, c.Im, dt)
			got := spectralOp(t, "FFT"+suffix[c.Rank], map[string]any{"Tcomplex": dt}, x)
			assert.NoError(t, tensor.Compare(got, complexOf(shape, c.FFTRe, c.FFTIm, dt), spectralTol), "FFT%s %v %v", suffix[c.Rank], shape, dt)
			got = spectralOp(t, "IFFT"+suffix[c.Rank], map[string]any{"Tcomplex": dt}, x)
			assert.NoError(t, tensor.Compare(got, complexOf(shape, c.IFFTRe, c.IFFTIm, dt), spectralTol), "IFFT%s %v %v", suffix[c.Rank], shape, dt)
		}
	}
	for _, c := range ref.RealMulti {
		rank := len(c.FFTLength)
		op := suffix[rank]
		for _, rt := range realFFTTypes {
			ct := tensor.Complex64
			if rt == tensor.Float64 {
				ct = tensor.Complex128
			}
			attrs := map[string]any{"Treal": rt, "Tcomplex": ct}
			got := spectralOp(t, "RFFT"+op, attrs, kerneltest.Values(rt, c.Shape, c.X...), kerneltest.Vector(c.FFTLength...))
			want := complexOf(c.RFFTShape, c.RFFTRe, c.RFFTIm, ct)
			assert.NoError(t, tensor.Compare(got, want, spectralTol), "RFFT%s %v to %v", op, c.Shape, c.FFTLength)
			back := spectralOp(t, "IRFFT"+op, attrs, want, kerneltest.Vector(c.FFTLength...))
			backShape := tensor.Shape(c.RFFTShape).Clone()
			backShape[len(backShape)-1] = int(c.FFTLength[rank-1])
			assert.NoError(t, tensor.Compare(back, kerneltest.Values(rt, backShape, c.IRFFT...), spectralTol), "IRFFT%s to %v", op, c.FFTLength)
		}
	}
}

// fft_ops.cc's RFFT crops or pads to fft_length, and IRFFT pads a short
// spectrum with zeros: RFFT of [1, 2, 3] at length 2 is [3, -1]; IRFFT
// of [4] at length 4 is the constant 1 (numpy.fft.irfft([4], 4)).
func TestRFFTLengths(t *testing.T) {
	got := spectralOp(t, "RFFT", map[string]any{"Treal": tensor.Float64, "Tcomplex": tensor.Complex128}, kerneltest.Vector(1.0, 2, 3), kerneltest.Vector[int32](2))
	assert.Equal(t, []complex128{3, -1}, got.Data())
	got = spectralOp(t, "IRFFT", map[string]any{"Treal": tensor.Float64, "Tcomplex": tensor.Complex128}, kerneltest.Vector[complex128](4), kerneltest.Vector[int32](4))
	assert.Equal(t, []float64{1, 1, 1, 1}, got.Data())
	got = spectralOp(t, "RFFT", map[string]any{}, kerneltest.Tensor(tensor.Shape{2, 3}, float32(1), 2, 3, 4, 5, 6), kerneltest.Vector[int32](0))
	assert.Equal(t, tensor.Shape{2, 0}, got.Shape())
	_, err := kerneltest.Call(graph.NewNode("n", "RFFT", nil, nil), kerneltest.Vector[float32](1), kerneltest.Vector[int32](1, 2))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}
