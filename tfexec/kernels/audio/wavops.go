package audio

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// maxOutputElements bounds the output DecodeWav's attributes may ask for
// (2³¹ float32 values, 8 GiB), so that absurd attributes fail with an
// error instead of exhausting memory.
const maxOutputElements = 1 << 31

// int32Attr reads an int attribute that TensorFlow declares as int and
// reads into an int32, rejecting values outside that range.
func int32Attr(n *kernel.Node, name string, def int64) (int, error) {
	v, err := n.Attrs.Int(name, def)
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("attribute %q = %d is out of the int32 range", name, v)
	}
	return int(v), nil
}

// newDecodeWav prepares DecodeWav: desired_channels and desired_samples
// must be -1 (keep the file's) or non-negative.
func newDecodeWav(n *kernel.Node) (kernel.Kernel, error) {
	channels, err := int32Attr(n, "desired_channels", -1)
	if err != nil {
		return nil, err
	}
	if channels < -1 {
		return nil, fmt.Errorf("attribute \"desired_channels\" must be >= -1, got %d", channels)
	}
	samples, err := int32Attr(n, "desired_samples", -1)
	if err != nil {
		return nil, err
	}
	if samples < -1 {
		return nil, fmt.Errorf("attribute \"desired_samples\" must be >= -1, got %d", samples)
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		contents := in[0]
		if contents.DType() != tensor.String {
			return nil, fmt.Errorf("contents must be a string tensor, got %v", contents.DType())
		}
		if contents.Rank() != 0 {
			return nil, fmt.Errorf("contents must be scalar, got shape %v", contents.Shape())
		}
		wav := tensor.Values[string](contents)[0]
		if len(wav) > math.MaxInt32 {
			return nil, fmt.Errorf("%w: WAV contents are too large for int: %d bytes", ErrInvalidWAV, len(wav))
		}
		a, err := decodeWAV(wav)
		if err != nil {
			return nil, err
		}
		audio, err := selectAudio(a, samples, channels)
		if err != nil {
			return nil, err
		}
		// The rate is stored as the int32 TensorFlow casts it to.
		return []*tensor.Tensor{audio, tensor.Scalar(int32(a.rate))}, nil
	}, nil
}

// selectAudio shapes decoded audio to [frames, channels], where -1 keeps
// the file's count: missing frames are zeros, extra frames dropped, extra
// channels copy the file's last channel and surplus channels are dropped.
func selectAudio(a wavAudio, frames, channels int) (*tensor.Tensor, error) {
	if frames == -1 {
		frames = a.frames
	}
	if channels == -1 {
		channels = a.channels
	}
	if frames == a.frames && channels == a.channels {
		return tensor.FromSlice(tensor.Shape{frames, channels}, a.samples)
	}
	if int64(frames)*int64(channels) > maxOutputElements {
		return nil, fmt.Errorf("output of %d samples × %d channels is too large", frames, channels)
	}
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{frames, channels}); err != nil {
		return nil, err
	}
	out := make([]float32, frames*channels)
	for f := range min(frames, a.frames) {
		src := a.samples[f*a.channels : (f+1)*a.channels]
		dst := out[f*channels : (f+1)*channels]
		n := copy(dst, src)
		for c := n; c < channels; c++ {
			dst[c] = src[a.channels-1]
		}
	}
	return tensor.FromSlice(tensor.Shape{frames, channels}, out)
}

// encodeWav is EncodeWav: audio [frames, channels] float32 and an int32
// scalar sample rate to a WAV file as a string scalar.
func encodeWav(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	audio, rate := in[0], in[1]
	if audio.DType() != tensor.Float32 {
		return nil, kernel.Unsupported("audio dtype %v (want float32)", audio.DType())
	}
	if audio.Rank() != 2 {
		return nil, fmt.Errorf("audio must be 2-dimensional, got shape %v", audio.Shape())
	}
	if rate.DType() != tensor.Int32 {
		return nil, kernel.Unsupported("sample_rate dtype %v (want int32)", rate.DType())
	}
	if rate.Rank() != 0 {
		return nil, fmt.Errorf("input sample_rate should be a scalar tensor, got %v instead", rate.Shape())
	}
	if audio.NumElements() >= math.MaxInt32 {
		return nil, fmt.Errorf("cannot encode audio with >= max int32 elements")
	}
	b, err := encodeWAV(tensor.Values[float32](audio), int64(tensor.Values[int32](rate)[0]),
		audio.Shape()[1], audio.Shape()[0])
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(string(b))}, nil
}
