package image

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
	tg "github.com/tfoffload/tfoffload/compat/tfgo"
	"github.com/tfoffload/tfoffload/compat/tfgo/image/filter"
	"github.com/tfoffload/tfoffload/compat/tfgo/image/padding"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// gradient is a 4×4 RGB image whose red channel grows along x.
// Every channel varies, so Scale (per channel) divides by no zero.
func gradient(root *op.Scope) tf.Output {
	var px [4][4][3]uint8
	for y := range 4 {
		for x := range 4 {
			px[y][x] = [3]uint8{uint8(x * 50), uint8(y * 10), uint8(100 + x + y)}
		}
	}
	return op.Const(root.SubScope("pixels"), px)
}

func TestNewImageScaleAndValue(t *testing.T) {
	root := tg.NewRoot()
	img := NewImage(root, gradient(root))
	assert.Equal(t, tf.Float, img.Dtype())
	assert.Equal(t, "[1, 4, 4, 3]", img.Output.Shape().String())
	resized := img.Clone().ResizeBilinear(Size{Height: 2, Width: 2})
	gray := img.Clone().RGBToGrayscale()
	crop := img.Clone().CentralCrop(0.5)
	res := tg.Exec(root, []tf.Output{img.Value(), resized.Value(), gray.Output, crop.Output}, nil, nil)
	v := res[0].Value().([][][]float32)
	assert.Equal(t, float32(0), v[0][0][2], "Scale maps each channel's minimum to 0")
	assert.InDelta(t, 150.0/150, v[0][3][0], 1e-6, "Scale maps the image onto [0, 1]")
	assert.Equal(t, []int64{2, 2, 3}, res[1].Shape(), "Value squeezes a batch of one")
	assert.Equal(t, []int64{1, 4, 4, 1}, res[2].Shape())
	assert.Equal(t, []int64{1, 2, 2, 3}, res[3].Shape())
}

func TestConvolveSobel(t *testing.T) {
	root := tg.NewRoot()
	gray := NewImage(root, gradient(root)).RGBToGrayscale()
	gx := gray.Clone().Convolve(filter.SobelX(root), Stride{X: 1, Y: 1}, padding.VALID)
	gy := gray.Clone().Correlate(filter.SobelY(root), Stride{X: 1, Y: 1}, padding.SAME)
	res := tg.Exec(root, []tf.Output{gx.Output, gy.Output}, nil, nil)
	assert.Equal(t, []int64{1, 2, 2, 1}, res[0].Shape())
	assert.Equal(t, []int64{1, 4, 4, 1}, res[1].Shape())
	v := res[0].Value().([][][][]float32)
	assert.True(t, v[0][0][0][0] > 0, "the flipped Sobel kernel sees the rising red channel: %v", v)
}

func TestPanics(t *testing.T) {
	root := tg.NewRoot()
	assert.PanicsWithError(t, "tensor should be 3 or 4 D, but has 1 dimensions", func() {
		NewImage(root, op.Const(root.SubScope("v"), []float32{1}))
	})
	assert.PanicsWithError(t, "unsupported image extension bmp2", func() { Read(root, "x.bmp2", 3) })
	assert.Equal(t, "SAME", padding.SAME.String())
	assert.Equal(t, "VALID", padding.VALID.String())
}

// primaries is a 1×3 image of pure red, green and blue; Scale leaves it
// as it is (each channel already spans [0, 1]).
func primaries(root *op.Scope) tf.Output {
	return op.Const(root.SubScope("primaries"), [1][3][3]float32{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}})
}

// TestColourAdjustments runs the colour methods on the primaries, whose
// results follow from the definitions: a third of a turn of hue maps red
// to green, zero saturation makes every pixel white at value 1, zero
// contrast gives each channel's mean, and HSV round-trips.
func TestColourAdjustments(t *testing.T) {
	root := tg.NewRoot()
	img := NewImage(root, primaries(root))
	hue := img.Clone().AdjustHue(1.0 / 3)
	sat := img.Clone().AdjustSaturation(0)
	con := img.Clone().AdjustContrast(0)
	hsv := img.Clone().RGBToHSV()
	back := hsv.Clone().HSVToRGB()
	res := tg.Exec(root, []tf.Output{hue.Value(), sat.Value(), con.Value(), hsv.Value(), back.Value()}, nil, nil)
	near := func(want [][][]float32, got *tf.Tensor, what string) {
		t.Helper()
		v := got.Value().([][][]float32)
		for y := range want {
			for x := range want[y] {
				assert.InDeltaSlice(t, want[y][x], v[y][x], 1e-6, "%s pixel %d,%d", what, y, x)
			}
		}
	}
	near([][][]float32{{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}}, res[0], "AdjustHue(1/3)")
	near([][][]float32{{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}}, res[1], "AdjustSaturation(0)")
	third := float32(1.0 / 3)
	near([][][]float32{{{third, third, third}, {third, third, third}, {third, third, third}}}, res[2], "AdjustContrast(0)")
	near([][][]float32{{{0, 1, 1}, {third, 1, 1}, {2 * third, 1, 1}}}, res[3], "RGBToHSV")
	near([][][]float32{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}, res[4], "HSVToRGB(RGBToHSV)")
}

func TestReadJPEG(t *testing.T) {
	path := testutil.SharedModel(t, "images/grace_hopper_224.jpg")
	root := tg.NewRoot()
	img := Read(root, path, 3)
	small := img.Clone().ResizeBilinear(Size{Height: 8, Width: 8})
	res := tg.Exec(root, []tf.Output{img.Output, small.Value()}, nil, nil)
	assert.Equal(t, []int64{1, 224, 224, 3}, res[0].Shape())
	assert.Equal(t, []int64{8, 8, 3}, res[1].Shape())
	lo, hi := float32(1), float32(0)
	for _, row := range res[0].Value().([][][][]float32)[0] {
		for _, px := range row {
			for _, v := range px {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	assert.Equal(t, float32(0), lo, "Read scales to [0, 1]")
	assert.Equal(t, float32(1), hi)
}

// TestEncodeDecodeRoundTrip encodes an image as PNG and JPEG and reads the
// files back with Read, as tfgo's README does with its edge images.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	root := tg.NewRoot()
	img := NewImage(root, gradient(root))
	png := img.Clone().EncodePNG()
	jpg := img.Clone().EncodeJPEG(op.EncodeJpegQuality(100))
	res := tg.Exec(root, []tf.Output{png, jpg}, nil, nil)
	dir := t.TempDir()
	files := map[string]*tf.Tensor{"x.png": res[0], "x.jpg": res[1]}
	for name, enc := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(enc.Value().(string)), 0o600))
	}
	r := tg.NewRoot()
	back := Read(r, filepath.Join(dir, "x.png"), 3)
	backJPG := Read(r, filepath.Join(dir, "x.jpg"), 3)
	out := tg.Exec(r, []tf.Output{back.Value(), backJPG.Value()}, nil, nil)
	assert.Equal(t, []int64{4, 4, 3}, out[0].Shape())
	assert.Equal(t, []int64{4, 4, 3}, out[1].Shape())
	v := out[0].Value().([][][]float32)
	assert.Equal(t, float32(0), v[0][0][0], "PNG is lossless: the darkest red is still 0")
	assert.Equal(t, float32(1), v[0][3][0])
}

// TestExtractGlimpse: tfgo's ExtractGlimpse on a 5×5 image of 0…24
// (scaled to [0, 1] by NewImage): the centred 3×3 glimpse, and one at the
// top-left corner, its outside filled with zeros.
func TestExtractGlimpse(t *testing.T) {
	root := tg.NewRoot()
	var px [5][5][1]float32
	for i := range 25 {
		px[i/5][i%5][0] = float32(i)
	}
	img := NewImage(root, op.Const(root.SubScope("arange"), px))
	centre := img.Clone().ExtractGlimpse(Size{Height: 3, Width: 3}, Point{})
	corner := img.Clone().ExtractGlimpse(Size{Height: 3, Width: 3}, Point{X: -1, Y: -1},
		op.ExtractGlimpseUniformNoise(false), op.ExtractGlimpseNoise("zero"))
	res := tg.Exec(root, []tf.Output{centre, corner}, nil, nil)
	flat := func(v [][][][]float32) []float32 {
		var out []float32
		for _, row := range v[0] {
			for _, p := range row {
				out = append(out, p[0]*24)
			}
		}
		return out
	}
	assert.InDeltaSlice(t, []float32{6, 7, 8, 11, 12, 13, 16, 17, 18}, flat(res[0].Value().([][][][]float32)), 1e-5)
	assert.InDeltaSlice(t, []float32{0, 0, 0, 0, 0, 1, 0, 5, 6}, flat(res[1].Value().([][][][]float32)), 1e-5)
}
