package image

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestExtractGlimpseAgainstTensorFlow runs the cases of TensorFlow's
// attention_ops_test.py (tensorflow/python/kernel_tests/image_ops)
// whose glimpses lie inside the image, built as its _VerifyValues builds
// them: an image of rows×cols holding each pixel's row number, transposed
// to [1, cols, rows, 1], and the same for column numbers; the op's
// height is the test's columns. ExtractGlimpse with its defaults
// (centered, normalized, uniform noise).
func TestExtractGlimpseAgainstTensorFlow(t *testing.T) {
	tests := []struct {
		name               string
		glimpse            [2]int
		offsets            [2]float32
		wantRows, wantCols []float32
	}{
		{"testCenterGlimpse", [2]int{3, 5}, [2]float32{0, 0}, []float32{20, 21, 22}, []float32{29, 30, 31, 32, 33}},
		{"testLargeCenterGlimpse", [2]int{41, 61}, [2]float32{0, 0}, count(1, 41), count(1, 61)},
		{"testGlimpseFullOverlap", [2]int{3, 5}, [2]float32{0.1, 0.3}, []float32{22, 23, 24}, []float32{38, 39, 40, 41, 42}},
		{"testGlimpseFullOverlap2", [2]int{11, 3}, [2]float32{-0.7, -0.7}, count(1, 11), []float32{8, 9, 10}},
		{"testGlimpseBeforeLeftMargin", [2]int{11, 5}, [2]float32{-0.7, -0.9}, count(1, 11), []float32{1, 2, 3, 4, 5}},
	}
	const rows, cols = 41, 61
	rowImg := make([]float32, rows*cols) // [cols][rows]: value row+1
	colImg := make([]float32, rows*cols)
	for c := range cols {
		for r := range rows {
			rowImg[c*rows+r] = float32(r + 1)
			colImg[c*rows+r] = float32(c + 1)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			size := i32(s(2), int32(tc.glimpse[1]), int32(tc.glimpse[0]))
			offsets := f32(s(1, 2), tc.offsets[1], tc.offsets[0])
			for _, img := range []struct {
				data []float32
				want func(i, j int) float32
			}{
				{rowImg, func(i, _ int) float32 { return tc.wantRows[i] }},
				{colImg, func(_, j int) float32 { return tc.wantCols[j] }},
			} {
				out := run(t, "ExtractGlimpse", nil, f32(s(1, cols, rows, 1), img.data...), size, offsets)[0]
				require.Equal(t, tensor.Shape{1, tc.glimpse[1], tc.glimpse[0], 1}, out.Shape())
				v := out.Data().([]float32)
				for i := range tc.glimpse[0] {
					for j := range tc.glimpse[1] {
						// The test transposes the glimpse back: [i][j] is [j][i].
						assert.Equal(t, img.want(i, j), v[j*tc.glimpse[0]+i], "glimpse row %d col %d", i, j)
					}
				}
			}
		})
	}
}

// count is the float32s from lo to hi inclusive.
func count(lo, hi int) []float32 {
	var out []float32
	for v := lo; v <= hi; v++ {
		out = append(out, float32(v))
	}
	return out
}

// arange25 is attention_ops_test.py's 5×5 image holding 0 to 24.
func arange25() *tensor.Tensor {
	v := make([]float32, 25)
	for i := range v {
		v[i] = float32(i)
	}
	return f32(s(1, 5, 5, 1), v...)
}

// TestExtractGlimpseZeroNoise: attention_ops_test.py's
// testGlimpseNoiseZeroV1Compatible, testGlimpseNoiseZero and
// testGlimpseNonNormalizedNonCentered.
func TestExtractGlimpseZeroNoise(t *testing.T) {
	zero := map[string]any{"noise": "zero", "uniform_noise": false}
	plain := map[string]any{"centered": false, "normalized": false, "noise": "zero", "uniform_noise": false}
	tests := []struct {
		name, op string
		attrs    map[string]any
		size     int32
		offset   [2]float32
		want     []float32
	}{
		{"V1 outside", "ExtractGlimpse", plain, 3, [2]float32{-2, 2}, make([]float32, 9)},
		{"V1 larger than the image", "ExtractGlimpse", map[string]any{"normalized": false, "noise": "zero", "uniform_noise": false}, 7, [2]float32{0, 0}, []float32{
			0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 0, 0, 10, 11, 12, 13, 14, 0,
			0, 15, 16, 17, 18, 19, 0, 0, 20, 21, 22, 23, 24, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"V2 outside", "ExtractGlimpseV2", plain, 3, [2]float32{-2, -2}, make([]float32, 9)},
		{"V2 unnormalized centre", "ExtractGlimpseV2", map[string]any{"normalized": false, "noise": "zero", "uniform_noise": false}, 7, [2]float32{0, 0}, []float32{
			12, 13, 14, 0, 0, 0, 0, 17, 18, 19, 0, 0, 0, 0, 22, 23, 24, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"V2 at origin", "ExtractGlimpseV2", map[string]any{"centered": false, "normalized": false}, 3, [2]float32{0, 0},
			[]float32{0, 1, 2, 5, 6, 7, 10, 11, 12}},
		{"V2 one row down", "ExtractGlimpseV2", map[string]any{"centered": false, "normalized": false}, 3, [2]float32{1, 0},
			[]float32{5, 6, 7, 10, 11, 12, 15, 16, 17}},
		{"zero noise, centred", "ExtractGlimpseV2", zero, 3, [2]float32{0, 0}, []float32{6, 7, 8, 11, 12, 13, 16, 17, 18}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, tc.attrs, arange25(), i32(s(2), tc.size, tc.size), f32(s(1, 2), tc.offset[0], tc.offset[1]))
			assertTensor(t, f32(s(1, int(tc.size), int(tc.size), 1), tc.want...), out[0])
		})
	}
}

// TestExtractGlimpseRefusesRandomNoise: a glimpse that needs uniform or
// Gaussian noise is refused by name, never filled with made-up values;
// the same attributes are fine for a glimpse inside the image.
func TestExtractGlimpseRefusesRandomNoise(t *testing.T) {
	size := i32(s(2), 3, 3)
	for _, attrs := range []map[string]any{nil, {"noise": "gaussian", "uniform_noise": false}, {"noise": "", "uniform_noise": false}} {
		_, err := call("ExtractGlimpse", attrs, arange25(), size, f32(s(1, 2), 1, 1))
		require.Error(t, err)
		assert.ErrorIs(t, err, kernel.ErrUnsupported)
		assert.Contains(t, err.Error(), "zero noise")
		out, err := call("ExtractGlimpse", attrs, arange25(), size, f32(s(1, 2), 0, 0))
		require.NoError(t, err)
		assert.Equal(t, tensor.Shape{1, 3, 3, 1}, out[0].Shape())
	}
}

func TestExtractGlimpseInvalid(t *testing.T) {
	img := arange25()
	size := i32(s(2), 3, 3)
	off := f32(s(1, 2), 0, 0)
	kerneltest.RunInvalid(t, "ExtractGlimpseV2", []kerneltest.InvalidCase{
		{Name: "rank 3 input", In: []*tensor.Tensor{f32(s(5, 5, 1), make([]float32, 25)...), size, off}},
		{Name: "size of 3", In: []*tensor.Tensor{img, i32(s(3), 1, 1, 1), off}},
		{Name: "negative size", In: []*tensor.Tensor{img, i32(s(2), -1, 3), off}},
		{Name: "offsets vector", In: []*tensor.Tensor{img, size, f32(s(2), 0, 0)}},
		{Name: "offsets batch", In: []*tensor.Tensor{img, size, f32(s(2, 2), 0, 0, 0, 0)}},
		{Name: "offsets width", In: []*tensor.Tensor{img, size, f32(s(1, 3), 0, 0, 0)}},
		{Name: "noise and uniform_noise", Attrs: map[string]any{"noise": "zero"}, In: []*tensor.Tensor{img, size, off}},
	})
	_, err := call("ExtractGlimpse", map[string]any{"noise": "pink", "uniform_noise": false}, img, size, off)
	assert.ErrorContains(t, err, "noise")
	empty, err := call("ExtractGlimpseV2", nil, f32(s(0, 4, 3, 0)), i32(s(2), 1, 1), f32(s(0, 2)))
	require.NoError(t, err, "testEmptyTensor")
	assert.Equal(t, tensor.Shape{0, 1, 1, 0}, empty[0].Shape())
}
