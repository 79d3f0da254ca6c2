package audio

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// maxFilterbankChannels bounds filterbank_channel_count, so that the DCT
// table (up to channels² values) stays within a few hundred megabytes.
const maxFilterbankChannels = 1 << 12

// filterbankFloor is the smallest mel energy whose log Mfcc takes
// (TensorFlow's kFilterbankFloor).
const filterbankFloor = 1e-12

// mfcc holds what Mfcc derives from its attributes. It is read-only once
// built.
type mfcc struct {
	lower, upper float64 // frequency limits in Hz
	channels     int     // mel filterbank channels
	// cosines[i*channels+j] = √(2/channels)·cos(iπ(j+½)/channels): the DCT
	// table of TensorFlow's MfccDct, one row per output coefficient.
	cosines []float64
	coeffs  int
}

// newMfcc prepares Mfcc. The checks TensorFlow's initialisation makes on
// the attributes alone happen here; those that need the sample rate or the
// spectrogram width happen per call.
func newMfcc(n *kernel.Node) (kernel.Kernel, error) {
	upper, err := n.Attrs.Float("upper_frequency_limit", 4000)
	if err != nil {
		return nil, err
	}
	lower, err := n.Attrs.Float("lower_frequency_limit", 20)
	if err != nil {
		return nil, err
	}
	channels, err := int32Attr(n, "filterbank_channel_count", 40)
	if err != nil {
		return nil, err
	}
	coeffs, err := int32Attr(n, "dct_coefficient_count", 13)
	if err != nil {
		return nil, err
	}
	switch {
	case channels < 1:
		return nil, fmt.Errorf("attribute \"filterbank_channel_count\" must be positive, got %d", channels)
	case coeffs < 1:
		return nil, fmt.Errorf("attribute \"dct_coefficient_count\" must be positive, got %d", coeffs)
	case coeffs > channels:
		return nil, fmt.Errorf("attribute \"dct_coefficient_count\" (%d) must be <= filterbank_channel_count (%d)", coeffs, channels)
	case lower < 0:
		return nil, fmt.Errorf("attribute \"lower_frequency_limit\" must be nonnegative, got %g", lower)
	case upper <= lower:
		return nil, fmt.Errorf("attribute \"upper_frequency_limit\" (%g) must be greater than lower_frequency_limit (%g)", upper, lower)
	case channels > maxFilterbankChannels:
		return nil, kernel.Unsupported("attribute \"filterbank_channel_count\" = %d (above %d)", channels, maxFilterbankChannels)
	}
	m := &mfcc{lower: float64(lower), upper: float64(upper), channels: channels, coeffs: coeffs}
	m.cosines = make([]float64, coeffs*channels)
	fnorm := math.Sqrt(2.0 / float64(channels))
	arg := math.Pi / float64(channels)
	for i := range coeffs {
		for j := range channels {
			m.cosines[i*channels+j] = fnorm * math.Cos(float64(i)*arg*(float64(j)+0.5))
		}
	}
	return m.run, nil
}

// run is the Mfcc kernel: spectrogram [channels, frames, bins] float32 and
// an int32 scalar sample rate to [channels, frames, dct_coefficient_count].
func (m *mfcc) run(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	spec, rateT := in[0], in[1]
	if spec.DType() != tensor.Float32 {
		return nil, kernel.Unsupported("spectrogram dtype %v (want float32)", spec.DType())
	}
	if spec.Rank() != 3 {
		return nil, fmt.Errorf("spectrogram must be 3-dimensional, got shape %v", spec.Shape())
	}
	if rateT.DType() != tensor.Int32 {
		return nil, kernel.Unsupported("sample_rate dtype %v (want int32)", rateT.DType())
	}
	if rateT.Rank() != 0 {
		return nil, fmt.Errorf("input sample_rate should be a scalar tensor, got %v instead", rateT.Shape())
	}
	rate := int(tensor.Values[int32](rateT)[0])
	audioChannels, frames, bins := spec.Shape()[0], spec.Shape()[1], spec.Shape()[2]
	fb, err := newMelFilterbank(bins, rate, m.channels, m.lower, m.upper)
	if err != nil {
		return nil, err
	}
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{audioChannels, frames, m.coeffs}); err != nil {
		return nil, err
	}
	out := make([]float32, audioChannels*frames*m.coeffs)
	x := tensor.Values[float32](spec)
	rows := audioChannels * frames
	kernel.ParallelFor(rows, 4*(fb.end-fb.start+1)+m.coeffs*m.channels, func(lo, hi int) {
		mel := make([]float64, m.channels)
		for r := lo; r < hi; r++ {
			m.frame(fb, x[r*bins:(r+1)*bins], mel, out[r*m.coeffs:(r+1)*m.coeffs])
		}
	})
	t, err := tensor.FromSlice(tensor.Shape{audioChannels, frames, m.coeffs}, out)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// frame computes the coefficients of one spectrogram frame into out, with
// mel as scratch: filterbank, floored log, DCT, all in float64 as
// TensorFlow computes them. When the filterbank cannot run (its upper edge
// lies beyond the spectrogram) TensorFlow's DCT sees an empty input and
// the coefficients are zero.
func (m *mfcc) frame(fb *melFilterbank, spec []float32, mel []float64, out []float32) {
	if fb.empty {
		clear(out)
		return
	}
	fb.apply(spec, mel)
	for i, v := range mel {
		if v < filterbankFloor {
			v = filterbankFloor
		}
		mel[i] = math.Log(v)
	}
	for i := range out {
		row := m.cosines[i*m.channels : (i+1)*m.channels]
		var sum float64
		for j, c := range row {
			// The conversion keeps each product rounded, as TensorFlow's
			// loop does, instead of letting it fuse into a multiply-add.
			sum += float64(c * mel[j])
		}
		out[i] = float32(sum)
	}
}

// melFilterbank is TensorFlow's MfccMelFilterbank for one spectrogram
// width and sample rate: triangular filters between mel-spaced centre
// frequencies, each FFT bin in [start, end] feeding the falling edge of
// channel band[i] with weight weights[i] and the rising edge of the next
// channel with 1 − weights[i].
type melFilterbank struct {
	start, end int
	band       []int
	weights    []float64
	channels   int
	// empty is set when TensorFlow's filterbank returns nothing because the
	// spectrogram is too short for its end bin.
	empty bool
}

// freqToMel is TensorFlow's mel scale: 1127·ln(1 + f/700).
func freqToMel(f float64) float64 { return 1127.0 * math.Log1p(f/700.0) }

// cInt converts like a C static_cast<int>(double) on x86: truncation
// toward zero, and INT_MIN for NaN or values outside the int32 range.
func cInt(x float64) int {
	if !(x > math.MinInt32-1 && x < math.MaxInt32+1) {
		return math.MinInt32
	}
	return int(x)
}

// newMelFilterbank builds the filterbank for spectrograms of bins values
// per frame, with TensorFlow's arithmetic. Its errors are TensorFlow's
// initialisation failures for the run-time inputs.
func newMelFilterbank(bins, rate, channels int, lower, upper float64) (*melFilterbank, error) {
	if rate <= 0 || bins < 2 {
		return nil, fmt.Errorf("Mfcc initialization failed for channel count %d and sample rate %d "+
			"(the spectrogram needs at least 2 bins and the sample rate must be positive)", bins, rate)
	}
	// One extra centre frequency gives the upper edge of the last filter.
	centers := make([]float64, channels+1)
	melLow := freqToMel(lower)
	melSpacing := (freqToMel(upper) - melLow) / float64(channels+1)
	for i := range centers {
		centers[i] = melLow + float64(melSpacing*float64(i+1))
	}
	// Bin 0 (DC) is always excluded, as HTK does.
	hzPerBin := 0.5 * float64(rate) / float64(bins-1)
	fb := &melFilterbank{
		start:    cInt(1.5 + lower/hzPerBin),
		end:      cInt(upper / hzPerBin),
		band:     make([]int, bins),
		weights:  make([]float64, bins),
		channels: channels,
	}
	// TensorFlow compares the end bin with the spectrogram width as an
	// unsigned size, so a negative (overflowed) end also means "too short".
	if fb.end < 0 || bins <= fb.end {
		fb.empty = true
		return fb, nil
	}
	if fb.start < 0 && fb.start <= fb.end {
		// TensorFlow would read before the spectrogram's start.
		return nil, fmt.Errorf("Mfcc filterbank start bin %d is out of range (lower_frequency_limit %g)", fb.start, lower)
	}
	ch := 0
	for i := range bins {
		if i < fb.start || i > fb.end {
			fb.band[i] = -2 // unused bin
			continue
		}
		melf := freqToMel(float64(i) * hzPerBin)
		for ch < channels && centers[ch] < melf {
			ch++
		}
		fb.band[i] = ch - 1
		if c := ch - 1; c >= 0 {
			fb.weights[i] = (centers[c+1] - melf) / (centers[c+1] - centers[c])
		} else {
			fb.weights[i] = (centers[0] - melf) / (centers[0] - melLow)
		}
	}
	return fb, nil
}

// apply sums the square roots of the power spectrum spec under the
// triangular filters into mel (length channels).
func (fb *melFilterbank) apply(spec []float32, mel []float64) {
	clear(mel)
	for i := fb.start; i <= fb.end; i++ {
		v := math.Sqrt(float64(spec[i]))
		weighted := float64(v * fb.weights[i])
		ch := fb.band[i]
		if ch >= 0 {
			mel[ch] += weighted
		}
		if ch++; ch < fb.channels {
			mel[ch] += v - weighted
		}
	}
}
