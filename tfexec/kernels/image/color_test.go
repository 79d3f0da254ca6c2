package image

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tfPixels is the 2×2 RGB image of TensorFlow's AdjustHue, AdjustSaturation
// and AdjustContrast tests (tensorflow/python/ops/image_ops_test.py).
var tfPixels = []uint8{0, 5, 13, 54, 135, 226, 37, 8, 234, 90, 255, 1}

// toFloatImage is tf.image.convert_image_dtype from uint8 to float32:
// x · (1/255).
func toFloatImage(shape tensor.Shape, v []uint8) *tensor.Tensor {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x) * float32(1.0/255)
	}
	return f32(shape, out...)
}

// toUint8Image is convert_image_dtype from float32 back to uint8 with
// saturation: x · 255.5, clamped, truncated.
func toUint8Image(t *testing.T, img *tensor.Tensor) []uint8 {
	t.Helper()
	v, ok := img.Data().([]float32)
	require.True(t, ok, "float32 result, got %v", img.DType())
	out := make([]uint8, len(v))
	for i, x := range v {
		out[i] = uint8(min(255, max(0, x*255.5)))
	}
	return out
}

// TestAdjustAgainstTensorFlow runs the uint8 cases of image_ops_test.py's
// AdjustHueTest (testAdjustNegativeHue, testAdjustPositiveHue),
// AdjustSaturationTest (testHalfSaturation, testTwiceSaturation) and
// AdjustContrastTest (testDoubleContrastUint8, testHalfContrastUint8,
// testBatchDoubleContrast) through the kernels, converting the images as
// tf.image's wrappers do.
func TestAdjustAgainstTensorFlow(t *testing.T) {
	tests := []struct {
		name, op string
		shape    tensor.Shape
		factor   float32
		want     []uint8
	}{
		{"testAdjustNegativeHue", "AdjustHue", s(2, 2, 3), -0.25, []uint8{0, 13, 1, 54, 226, 59, 8, 234, 150, 255, 39, 1}},
		{"testAdjustPositiveHue", "AdjustHue", s(2, 2, 3), 0.25, []uint8{13, 0, 11, 226, 54, 221, 234, 8, 92, 1, 217, 255}},
		{"testHalfSaturation", "AdjustSaturation", s(2, 2, 3), 0.5, []uint8{6, 9, 13, 140, 180, 226, 135, 121, 234, 172, 255, 128}},
		{"testTwiceSaturation", "AdjustSaturation", s(2, 2, 3), 2, []uint8{0, 5, 13, 0, 106, 226, 30, 0, 234, 89, 255, 0}},
		{"testDoubleContrastUint8", "AdjustContrastv2", s(1, 2, 2, 3), 2, []uint8{0, 0, 0, 62, 169, 255, 28, 0, 255, 135, 255, 0}},
		{"testHalfContrastUint8", "AdjustContrastv2", s(1, 2, 2, 3), 0.5, []uint8{22, 52, 65, 49, 118, 172, 41, 54, 176, 67, 178, 59}},
		{"testBatchDoubleContrast", "AdjustContrastv2", s(2, 1, 2, 3), 2, []uint8{0, 0, 0, 81, 200, 255, 10, 0, 255, 116, 255, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, nil, toFloatImage(tc.shape, tfPixels), f32(nil, tc.factor))
			assert.Equal(t, tc.shape, out[0].Shape())
			assert.Equal(t, tc.want, toUint8Image(t, out[0]))
		})
	}
}

// TestAdjustContrastFloat is image_ops_test.py's testDoubleContrastFloat:
// float pixels/255 give the listed values/255.
func TestAdjustContrastFloat(t *testing.T) {
	in := make([]float32, len(tfPixels))
	for i, x := range tfPixels {
		in[i] = float32(x) / 255
	}
	want := []float32{-45.25, -90.75, -92.5, 62.75, 169.25, 333.5, 28.75, -84.75, 349.5, 134.75, 409.25, -116.5}
	for i := range want {
		want[i] /= 255
	}
	out := run(t, "AdjustContrastv2", nil, f32(s(1, 2, 2, 3), in...), f32(nil, 2))
	assertClose(t, f32(s(1, 2, 2, 3), want...), out[0])
}

// TestAdjustHalf: half images are adjusted in float32 and rounded back.
func TestAdjustHalf(t *testing.T) {
	for _, op := range []string{"AdjustHue", "AdjustSaturation", "AdjustContrastv2"} {
		img := toFloatImage(s(1, 2, 2, 3), tfPixels)
		wantF := run(t, op, nil, img, f32(nil, 0.25))[0].Data().([]float32)
		half := make([]float32, len(wantF))
		v, err := kernel.Float32s(f16(s(1, 2, 2, 3), img.Data().([]float32)...))
		require.NoError(t, err)
		got := run(t, op, nil, f16(s(1, 2, 2, 3), v...), f32(nil, 0.25))[0]
		assert.Equal(t, tensor.Float16, got.DType(), op)
		gv, err := kernel.Float32s(got)
		require.NoError(t, err)
		copy(half, gv)
		for i := range wantF {
			assert.InDelta(t, wantF[i], half[i], 4e-3, "%s pixel value %d: half rounding only", op, i)
		}
	}
}

// TestAdjustHueWraps: a delta of whole turns leaves colours as they are,
// and a huge delta finishes (TensorFlow's one-turn-at-a-time loop would
// not).
func TestAdjustHueWraps(t *testing.T) {
	img := toFloatImage(s(2, 2, 3), tfPixels)
	for _, delta := range []float32{1, -1, 2} {
		out := run(t, "AdjustHue", nil, img, f32(nil, delta))
		assertClose(t, img, out[0])
	}
	out := run(t, "AdjustHue", nil, img, f32(nil, 1e30))
	for _, x := range out[0].Data().([]float32) {
		assert.True(t, x >= 0 && x <= 1, "hue turned within the value range: %v", x)
	}
}

// TestColorspaceAgainstColorsys compares RGBToHSV and HSVToRGB with
// Python's colorsys on the pixels of testdata/colorsys.txt, written by
// testdata/hsv_reference.py.
func TestColorspaceAgainstColorsys(t *testing.T) {
	rows := readColorsys(t)
	n := len(rows)
	rgb := make([]float64, 0, 3*n)
	hsv := make([]float64, 0, 3*n)
	for _, r := range rows {
		rgb = append(rgb, r[0:3]...)
		hsv = append(hsv, r[3:6]...)
	}
	gotHSV := run(t, "RGBToHSV", nil, f64(s(n, 3), rgb...))[0]
	assert.NoError(t, tensor.Compare(gotHSV, f64(s(n, 3), hsv...), tensor.Tolerance{ATol: 1e-12}))
	gotRGB := run(t, "HSVToRGB", nil, f64(s(n, 3), hsv...))[0]
	assert.NoError(t, tensor.Compare(gotRGB, f64(s(n, 3), rgb...), tensor.Tolerance{ATol: 1e-12}))

	rgb32 := make([]float32, len(rgb))
	hsv32 := make([]float32, len(hsv))
	for i := range rgb {
		rgb32[i], hsv32[i] = float32(rgb[i]), float32(hsv[i])
	}
	got32 := run(t, "RGBToHSV", nil, f32(s(n, 3), rgb32...))[0]
	assert.NoError(t, tensor.Compare(got32, f32(s(n, 3), hsv32...), tensor.Tolerance{ATol: 1e-6}))
	back32 := run(t, "HSVToRGB", nil, f32(s(n, 3), hsv32...))[0]
	assert.NoError(t, tensor.Compare(back32, f32(s(n, 3), rgb32...), tensor.Tolerance{ATol: 1e-6}))
}

// TestColorInvalid: TensorFlow's argument checks.
func TestColorInvalid(t *testing.T) {
	two := f32(s(1, 1, 2), 0, 0)
	rgb := f32(s(1, 1, 3), 0, 0, 0)
	for _, op := range []string{"AdjustHue", "AdjustSaturation"} {
		kerneltest.RunInvalid(t, op, []kerneltest.InvalidCase{
			{Name: "two channels", In: []*tensor.Tensor{two, f32(nil, 0)}},
			{Name: "rank 2", In: []*tensor.Tensor{f32(s(1, 3), 0, 0, 0), f32(nil, 0)}},
			{Name: "vector factor", In: []*tensor.Tensor{rgb, f32(s(1), 0)}},
		})
	}
	kerneltest.RunInvalid(t, "AdjustContrastv2", []kerneltest.InvalidCase{
		{Name: "rank 2", In: []*tensor.Tensor{f32(s(1, 3), 0, 0, 0), f32(nil, 0)}},
		{Name: "vector factor", In: []*tensor.Tensor{rgb, f32(s(1), 0)}},
	})
	for _, op := range []string{"RGBToHSV", "HSVToRGB"} {
		kerneltest.RunInvalid(t, op, []kerneltest.InvalidCase{
			{Name: "two channels", In: []*tensor.Tensor{two}},
			{Name: "scalar", In: []*tensor.Tensor{f32(nil, 0)}},
		})
	}
}

// TestSaturationNaN: a NaN pixel stays NaN instead of indexing a sector
// from an undefined conversion.
func TestSaturationNaN(t *testing.T) {
	nan := float32(math.NaN())
	out := run(t, "AdjustSaturation", nil, f32(s(1, 1, 3), nan, 0.5, 0.25), f32(nil, 0.5))
	v := out[0].Data().([]float32)
	assert.True(t, math.IsNaN(float64(v[0])) || math.IsNaN(float64(v[1])) || math.IsNaN(float64(v[2])), "%v", v)
}

// readColorsys reads testdata/colorsys.txt's rows of r g b h s v.
func readColorsys(t *testing.T) [][]float64 {
	t.Helper()
	var rows [][]float64
	for _, fields := range testutil.ReadTable(t, "testdata/colorsys.txt", 6) {
		row := make([]float64, len(fields))
		for i, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			require.NoError(t, err)
			row[i] = v
		}
		rows = append(rows, row)
	}
	require.NotEmpty(t, rows)
	return rows
}
