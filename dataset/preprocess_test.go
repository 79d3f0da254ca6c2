package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestParsePreset(t *testing.T) {
	p, err := ParsePreset([]byte(`{"height": 224, "width": 224, "order": "bgr", "scale": 0.00784313725, "mean": [1], "dtype": "Float32"}`))
	require.NoError(t, err)
	assert.Equal(t, Preprocess{Height: 224, Width: 224, Channels: 3, Order: "BGR", Resize: "bilinear", Scale: 0.00784313725,
		Mean: []float64{1, 1, 1}, Std: []float64{1, 1, 1}, Layout: "NHWC", DType: "float32"}, p)

	for _, tc := range []struct{ name, json, want string }{
		{"unknown field", `{"size": 3}`, `unknown field "size"`},
		{"trailing data", `{} {}`, "data after the JSON object"},
		{"not JSON", `{`, "unexpected EOF"},
		{"channels", `{"channels": 4}`, "channels: 4, want 1 or 3"},
		{"order", `{"order": "RGBA"}`, "order"},
		{"crop", `{"crop": "top"}`, "crop"},
		{"resize", `{"resize": "lanczos"}`, "resize"},
		{"layout", `{"layout": "CHW"}`, "layout"},
		{"dtype", `{"dtype": "string"}`, "dtype"},
		{"mean", `{"mean": [1, 2]}`, "mean: 2 values for 3 channels"},
		{"std zero", `{"std": [0]}`, "std: a standard deviation of 0"},
		{"size", `{"height": -1}`, "height/width"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePreset([]byte(tc.json))
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	path := filepath.Join(t.TempDir(), "p.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"layout": "x"}`), 0o644))
	_, err = ReadPreset(path)
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), path)
}

func TestWithSize(t *testing.T) {
	p, err := Preprocess{Scale: 1.0 / 255}.WithSize([]int64{-1, 64, 48, 1}, tensor.Uint8)
	require.NoError(t, err)
	assert.Equal(t, 64, p.Height)
	assert.Equal(t, 48, p.Width)
	assert.Equal(t, 1, p.Channels)
	assert.Equal(t, "uint8", p.DType)

	p, err = Preprocess{Height: 10, Width: 10, Layout: "NCHW"}.WithSize([]int64{-1, 3, 224, 224}, tensor.Float32)
	require.NoError(t, err)
	assert.Equal(t, 10, p.Height, "given sizes stay")
	assert.Equal(t, 3, p.Channels)

	_, err = Preprocess{}.WithSize([]int64{-1, 3, 224, 224}, tensor.Float32)
	require.ErrorIs(t, err, ErrMalformed, "an NCHW input read as NHWC")
	assert.Contains(t, err.Error(), "224 channels")

	_, err = Preprocess{Mean: []float64{1, 2, 3}}.WithSize([]int64{-1, 8, 8, 1}, tensor.Float32)
	require.ErrorIs(t, err, ErrMalformed, "three different means for one channel")
}
