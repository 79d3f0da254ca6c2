package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// writePNG writes an RGB image of w×h pixels whose pixel (x, y) is
// px(x, y).
func writePNG(t *testing.T, path string, w, h int, px func(x, y int) color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, px(x, y))
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

func float32s(t *testing.T, x *tensor.Tensor) []float32 {
	t.Helper()
	require.Equal(t, tensor.Float32, x.DType())
	return tensor.Values[float32](x)
}

func TestLoadImage(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.png")
	// Two pixels: (10, 20, 30) and (40, 50, 60).
	writePNG(t, p, 2, 1, func(x, _ int) color.NRGBA {
		return color.NRGBA{uint8(10 + 30*x), uint8(20 + 30*x), uint8(30 + 30*x), 255}
	})
	for _, tc := range []struct {
		name  string
		p     Preprocess
		shape tensor.Shape
		want  []float32
	}{
		{"as is", Preprocess{Height: 1, Width: 2}, tensor.Shape{1, 1, 2, 3}, []float32{10, 20, 30, 40, 50, 60}},
		{"scale, mean, std", Preprocess{Height: 1, Width: 2, Scale: 0.1, Mean: []float64{1, 2, 3}, Std: []float64{2}},
			tensor.Shape{1, 1, 2, 3}, []float32{0, 0, 0, 1.5, 1.5, 1.5}},
		{"BGR", Preprocess{Height: 1, Width: 2, Order: "bgr"}, tensor.Shape{1, 1, 2, 3}, []float32{30, 20, 10, 60, 50, 40}},
		{"NCHW", Preprocess{Height: 1, Width: 2, Layout: "nchw"}, tensor.Shape{1, 3, 1, 2}, []float32{10, 40, 20, 50, 30, 60}},
		{"gray", Preprocess{Height: 1, Width: 2, Channels: 1}, tensor.Shape{1, 1, 2, 1},
			[]float32{0.2989*10 + 0.587*20 + 0.114*30, 0.2989*40 + 0.587*50 + 0.114*60}},
		{"center crop", Preprocess{Height: 1, Width: 1, Crop: "center"}, tensor.Shape{1, 1, 1, 3}, []float32{10, 20, 30}},
		// tf.image.resize (half-pixel bilinear) of [10, 40] to 4 pixels:
		// sample points -0.25, 0.25, 0.75, 1.25 clamp and interpolate.
		{"bilinear resize", Preprocess{Height: 1, Width: 4, Channels: 1, Scale: 1}, tensor.Shape{1, 1, 4, 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := Load(p, tc.p)
			require.NoError(t, err)
			assert.Equal(t, tc.shape, x.Shape())
			if tc.want != nil {
				assert.InDeltaSlice(t, tc.want, float32s(t, x), 1e-4)
			}
		})
	}

	t.Run("bilinear resize values", func(t *testing.T) {
		q := filepath.Join(dir, "gray.png")
		g := image.NewGray(image.Rect(0, 0, 2, 1))
		g.Pix = []uint8{0, 10}
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, g))
		require.NoError(t, os.WriteFile(q, buf.Bytes(), 0o644))
		x, err := Load(q, Preprocess{Height: 1, Width: 4, Channels: 1})
		require.NoError(t, err)
		assert.InDeltaSlice(t, []float32{0, 2.5, 7.5, 10}, float32s(t, x), 1e-6)
		near, err := Load(q, Preprocess{Height: 1, Width: 4, Channels: 1, Resize: "nearest"})
		require.NoError(t, err)
		assert.Equal(t, []float32{0, 0, 10, 10}, float32s(t, near))
	})

	t.Run("integer dtype rounds and saturates", func(t *testing.T) {
		x, err := Load(p, Preprocess{Height: 1, Width: 2, Scale: 10, DType: "uint8"})
		require.NoError(t, err)
		assert.Equal(t, []uint8{100, 200, 255, 255, 255, 255}, tensor.Values[uint8](x))
	})
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"bad.png": "not a png", "bad.wav": "RIFF....AVIx", "ok.png": ""})
	writePNG(t, filepath.Join(dir, "ok.png"), 1, 1, func(int, int) color.NRGBA { return color.NRGBA{A: 255} })
	for _, tc := range []struct {
		name, file string
		p          Preprocess
		want       string
	}{
		{"unreadable image", "bad.png", Preprocess{Height: 2, Width: 2}, "bad.png: unreadable image"},
		{"not a WAV", "bad.wav", Preprocess{}, "bad.wav: not a WAV file"},
		{"no size", "ok.png", Preprocess{}, "ok.png: no input size"},
		{"missing", "gone.png", Preprocess{Height: 1, Width: 1}, "gone.png"},
		{"a folder", ".", Preprocess{Height: 1, Width: 1}, "it is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(filepath.Join(dir, tc.file), tc.p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestLoadRealFiles(t *testing.T) {
	shared := testutil.SharedModels(t)
	wav := filepath.Join(shared, "frozen/kws/wav/yes_1000ms.wav")
	x, err := Load(wav, Preprocess{})
	require.NoError(t, err)
	data, err := os.ReadFile(wav)
	require.NoError(t, err)
	assert.Equal(t, tensor.String, x.DType())
	assert.Equal(t, 0, x.Rank())
	assert.Equal(t, string(data), tensor.Values[string](x)[0])

	img, err := Load(filepath.Join(shared, "images/grace_hopper.jpg"), Preprocess{Height: 224, Width: 224, Crop: "center", Scale: 1.0 / 255})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{1, 224, 224, 3}, img.Shape())
	vals := float32s(t, img)
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	assert.GreaterOrEqual(t, lo, float32(0))
	assert.LessOrEqual(t, hi, float32(1))
	assert.Greater(t, hi-lo, float32(0.5), "a photo has contrast")
}

func TestLoadNPY(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.npy")
	want := tensor.MustFromSlice(tensor.Shape{1, 3}, []float32{1, 2, 3})
	require.NoError(t, tensor.WriteNPYFile(p, want))
	got, err := Load(p, Preprocess{})
	require.NoError(t, err)
	assert.Equal(t, want.Shape(), got.Shape())
	assert.Equal(t, []float32{1, 2, 3}, float32s(t, got))
}

// TestLoadJPEGPixelsAreTensorFlows checks that JPEG files decode to
// libjpeg-turbo's pixels with DecodeJpeg's default attributes: the SHA-256
// of the unresized, unscaled input must equal the one
// internal/jpegturbo's reference table records for libjpeg-turbo called
// directly (testdata/ref/refdecode.c there).
func TestLoadJPEGPixelsAreTensorFlows(t *testing.T) {
	refs := map[string][]string{}
	for _, fs := range testutil.ReadTable(t, "../internal/jpegturbo/testdata/reference.txt", 9) {
		// FILE CHANNELS RATIO DCT FANCY HEIGHT WIDTH OUTCHANNELS SHA256
		if fs[2] == "1" && fs[3] == "fast" && fs[4] == "1" {
			refs[fs[0]+"/"+fs[1]] = fs
		}
	}
	for _, tc := range []struct{ file, channels string }{
		{"rgb420.jpg", "3"}, {"rgb444.jpg", "3"}, {"progressive.jpg", "3"}, {"adobergb.jpg", "3"}, {"gray.jpg", "0"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ref, ok := refs[tc.file+"/"+tc.channels]
			require.True(t, ok, "no reference for %s", tc.file)
			h, err := strconv.Atoi(ref[5])
			require.NoError(t, err)
			w, err := strconv.Atoi(ref[6])
			require.NoError(t, err)
			chans, err := strconv.Atoi(ref[7])
			require.NoError(t, err)
			x, err := Load(filepath.Join("../internal/jpegturbo/testdata", tc.file), Preprocess{Height: h, Width: w, Channels: chans})
			require.NoError(t, err)
			require.Equal(t, tensor.Shape{1, h, w, chans}, x.Shape())
			vals := float32s(t, x)
			pix := make([]byte, len(vals))
			for i, v := range vals {
				require.Equal(t, v, float32(byte(v)), "pixel %d is not an 8-bit value", i)
				pix[i] = byte(v)
			}
			sum := sha256.Sum256(pix)
			assert.Equal(t, ref[8], hex.EncodeToString(sum[:]))
		})
	}
}
