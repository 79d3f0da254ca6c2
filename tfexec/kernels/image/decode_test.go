package image

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/jpegturbo"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// testJPEG returns a small smooth RGB JPEG, w×h.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := jpegturbo.Image{Header: jpegturbo.Header{Width: w, Height: h, Channels: 3}}
	for y := range h {
		for x := range w {
			img.Pix = append(img.Pix, byte(x*4), byte(y*4), byte(100+x+y))
		}
	}
	data, err := jpegturbo.Encode(img, jpegturbo.DefaultEncodeOptions())
	require.NoError(t, err)
	return data
}

func photo(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(testutil.SharedModel(t, "images/grace_hopper.jpg"))
	require.NoError(t, err)
	return data
}

// TestDecodeJpegAttrs checks that each attribute reaches the decoder: the
// kernel's output equals jpegturbo's decode with the same options (which
// internal/jpegturbo checks against libjpeg-turbo bit for bit).
func TestDecodeJpegAttrs(t *testing.T) {
	data := photo(t)
	tests := []struct {
		name  string
		attrs map[string]any
		opts  func(*jpegturbo.DecodeOptions)
		shape tensor.Shape
	}{
		{"defaults", nil, func(*jpegturbo.DecodeOptions) {}, s(606, 517, 3)},
		{"grayscale", map[string]any{"channels": 1}, func(o *jpegturbo.DecodeOptions) { o.Channels = 1 }, s(606, 517, 1)},
		{"rgb", map[string]any{"channels": 3}, func(o *jpegturbo.DecodeOptions) { o.Channels = 3 }, s(606, 517, 3)},
		{"ratio 4", map[string]any{"ratio": 4}, func(o *jpegturbo.DecodeOptions) { o.Ratio = 4 }, s(152, 130, 3)},
		{"accurate", map[string]any{"dct_method": "INTEGER_ACCURATE"}, func(o *jpegturbo.DecodeOptions) { o.DCT = jpegturbo.IntegerAccurate }, s(606, 517, 3)},
		{"no fancy upscaling", map[string]any{"fancy_upscaling": false}, func(o *jpegturbo.DecodeOptions) { o.FancyUpscaling = false }, s(606, 517, 3)},
	}
	var first []uint8
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !jpegturbo.Exact && tc.name == "ratio 4" {
				t.Skip("the image/jpeg fallback decodes at ratio 1 only")
			}
			out := run(t, "DecodeJpeg", tc.attrs, tensor.Scalar(string(data)))[0]
			require.Equal(t, tensor.Uint8, out.DType())
			require.Equal(t, tc.shape, out.Shape())
			o := jpegturbo.DefaultDecodeOptions()
			tc.opts(&o)
			img, err := jpegturbo.Decode(data, o, nil)
			require.NoError(t, err)
			assert.Equal(t, img.Pix, tensor.Values[uint8](out))
			if first == nil {
				first = img.Pix
			} else if jpegturbo.Exact && tc.shape.Equal(s(606, 517, 3)) && tc.name != "rgb" {
				assert.NotEqual(t, first, img.Pix, "the attribute changes nothing")
			}
		})
	}
}

func TestDecodeAndCropJpeg(t *testing.T) {
	data := testJPEG(t, 40, 24)
	out := run(t, "DecodeAndCropJpeg", nil, tensor.Scalar(string(data)), i32(s(4), 8, 12, 8, 17))[0]
	require.Equal(t, s(8, 17, 3), out.Shape())
	// internal/jpegturbo checks its crops against libjpeg-turbo's.
	o := jpegturbo.DefaultDecodeOptions()
	o.Crop = &jpegturbo.Window{X: 12, Y: 8, Width: 17, Height: 8}
	img, err := jpegturbo.Decode(data, o, nil)
	require.NoError(t, err)
	assert.Equal(t, img.Pix, tensor.Values[uint8](out))

	for name, w := range map[string]*tensor.Tensor{
		"outside":  i32(s(4), 20, 0, 8, 8),
		"empty":    i32(s(4), 0, 0, 0, 8),
		"negative": i32(s(4), -1, 0, 2, 2),
		"3 values": i32(s(3), 0, 0, 2),
		"2-D":      i32(s(1, 4), 0, 0, 2, 2),
	} {
		_, err := call("DecodeAndCropJpeg", nil, tensor.Scalar(string(data)), w)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
}

func TestDecodeJpegErrors(t *testing.T) {
	data := testJPEG(t, 16, 16)
	for name, c := range map[string]struct {
		attrs map[string]any
		in    *tensor.Tensor
	}{
		"empty":         {nil, tensor.Scalar("")},
		"not an image":  {nil, tensor.Scalar("hello")},
		"corrupt":       {nil, tensor.Scalar(string(data[:3]) + "\x00\x00garbage")},
		"truncated":     {nil, tensor.Scalar(string(data[:len(data)/2]))},
		"vector":        {nil, str(s(1), string(data))},
		"four channels": {map[string]any{"channels": 4}, tensor.Scalar(string(data))},
	} {
		_, err := call("DecodeJpeg", c.attrs, c.in)
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
	for name, attrs := range map[string]map[string]any{
		"ratio":    {"ratio": 3},
		"channels": {"channels": 2},
		"dct":      {"dct_method": "FLOAT"},
	} {
		_, err := call("DecodeJpeg", attrs, tensor.Scalar(string(data)))
		assert.ErrorIs(t, err, kernel.ErrInvalidArgument, name)
	}
}

// TestDecodeJpegBudget: an image over the tensor budget is refused before
// it is decoded.
func TestDecodeJpegBudget(t *testing.T) {
	data := testJPEG(t, 64, 64)
	prev := tensor.SetMaxTensorBytes(64 * 64 * 3)
	t.Cleanup(func() { tensor.SetMaxTensorBytes(prev) })
	_, err := call("DecodeJpeg", nil, tensor.Scalar(string(data)))
	require.NoError(t, err)
	tensor.SetMaxTensorBytes(64*64*3 - 1)
	_, err = call("DecodeJpeg", nil, tensor.Scalar(string(data)))
	var tl *tensor.TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, tensor.Shape{64, 64, 3}, tl.Shape)
}

func TestExtractJpegShape(t *testing.T) {
	data := testJPEG(t, 40, 24)
	out := run(t, "ExtractJpegShape", nil, tensor.Scalar(string(data)))[0]
	assertTensor(t, i32(s(3), 24, 40, 3), out)
	out = run(t, "ExtractJpegShape", map[string]any{"output_type": tensor.Int64}, tensor.Scalar(string(data)))[0]
	assertTensor(t, i64(s(3), 24, 40, 3), out)
	_, err := call("ExtractJpegShape", nil, tensor.Scalar("not a jpeg"))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}
