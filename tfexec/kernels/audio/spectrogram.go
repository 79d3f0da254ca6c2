package audio

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// maxWindow bounds window_size (2²⁴ samples, minutes of audio), so that an
// absurd attribute fails instead of allocating gigabytes of FFT tables.
const maxWindow = 1 << 24

// spectrogram holds what AudioSpectrogram derives from its attributes:
// the window, the FFT tables and the frame geometry. It is read-only once
// built.
type spectrogram struct {
	window    []float64 // periodic Hann window, window_size values
	stride    int
	fft       *realFFT
	bins      int // fft length/2 + 1
	magnitude bool
}

// periodicHann returns TensorFlow's spectrogram window: 0.5 − 0.5·cos(2πi/n)
// for i < n, computed in float64 (the periodic Hann window, which does not
// end on zero).
func periodicHann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		// The conversion keeps the product rounded, as in TensorFlow,
		// rather than fused into a multiply-add.
		w[i] = 0.5 - float64(0.5*math.Cos(2*math.Pi*float64(i)/float64(n)))
	}
	return w
}

// newAudioSpectrogram prepares AudioSpectrogram: window_size > 1 and
// stride > 0, as TensorFlow checks them.
func newAudioSpectrogram(n *kernel.Node) (kernel.Kernel, error) {
	if !n.Attrs.Has("window_size") {
		return nil, fmt.Errorf("attribute \"window_size\" is required")
	}
	if !n.Attrs.Has("stride") {
		return nil, fmt.Errorf("attribute \"stride\" is required")
	}
	window, err := int32Attr(n, "window_size", 0)
	if err != nil {
		return nil, err
	}
	if window <= 1 {
		return nil, fmt.Errorf("attribute \"window_size\" must be > 1, got %d", window)
	}
	if window > maxWindow {
		return nil, kernel.Unsupported("attribute \"window_size\" = %d (above %d)", window, maxWindow)
	}
	stride, err := int32Attr(n, "stride", 0)
	if err != nil {
		return nil, err
	}
	if stride <= 0 {
		return nil, fmt.Errorf("attribute \"stride\" must be > 0, got %d", stride)
	}
	squared, err := n.Attrs.Bool("magnitude_squared", false)
	if err != nil {
		return nil, err
	}
	fftLen := nextPowerOfTwo(window)
	s := &spectrogram{
		window:    periodicHann(window),
		stride:    stride,
		fft:       newRealFFT(fftLen),
		bins:      fftLen/2 + 1,
		magnitude: !squared,
	}
	return s.run, nil
}

// run is the AudioSpectrogram kernel: input [samples, channels] float32 to
// [channels, frames, bins] float32.
func (s *spectrogram) run(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if x.DType() != tensor.Float32 {
		return nil, kernel.Unsupported("input dtype %v (want float32)", x.DType())
	}
	if x.Rank() != 2 {
		return nil, fmt.Errorf("input must be 2-dimensional, got shape %v", x.Shape())
	}
	samples, channels := x.Shape()[0], x.Shape()[1]
	frames := 0
	if w := len(s.window); samples >= w {
		frames = 1 + (samples-w)/s.stride
	}
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{channels, frames, s.bins}); err != nil {
		return nil, err
	}
	out := make([]float32, channels*frames*s.bins)
	s.compute(tensor.Values[float32](x), channels, frames, out)
	t, err := tensor.FromSlice(tensor.Shape{channels, frames, s.bins}, out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// compute fills out with the spectrogram frames of every channel of the
// interleaved samples x, in parallel over (channel, frame) pairs.
func (s *spectrogram) compute(x []float32, channels, frames int, out []float32) {
	n := s.fft.n
	kernel.ParallelFor(channels*frames, 10*n, func(lo, hi int) {
		buf := make([]float64, n)
		z := make([]complex128, n/2)
		spec := make([]complex128, s.bins)
		for job := lo; job < hi; job++ {
			c, f := job/frames, job%frames
			start := f * s.stride
			for j, w := range s.window {
				// The sample is widened first and multiplied in float64,
				// as TensorFlow's queue of doubles does.
				buf[j] = float64(x[(start+j)*channels+c]) * w
			}
			clear(buf[len(s.window):])
			s.fft.transform(buf, z, spec)
			row := out[job*s.bins : (job+1)*s.bins]
			for k, v := range spec {
				re, im := real(v), imag(v)
				p := float32(float64(re*re) + float64(im*im))
				if s.magnitude {
					p = float32(math.Sqrt(float64(p)))
				}
				row[k] = p
			}
		}
	})
}
