package image

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// img2x2 is the NHWC image [[1, 2], [3, 4]].
var img2x2 = f32(s(1, 2, 2, 1), 1, 2, 3, 4)

func resizeAttrs(align, half bool) map[string]any {
	return map[string]any{"align_corners": align, "half_pixel_centers": half}
}

func TestResizeBilinear(t *testing.T) {
	size4 := i32(s(2), 4, 4)
	inf := float32(math.Inf(1))
	tests := []struct {
		name        string
		align, half bool
		img, size   *tensor.Tensor
		want        *tensor.Tensor
	}{
		{"legacy", false, false, img2x2, size4, f32(s(1, 4, 4, 1),
			1, 1.5, 2, 2,
			2, 2.5, 3, 3,
			3, 3.5, 4, 4,
			3, 3.5, 4, 4)},
		{"align corners", false, false, img2x2, i32(s(2), 1, 1), f32(s(1, 1, 1, 1), 1)},
		{"align corners up", true, false, img2x2, i32(s(2), 3, 3), f32(s(1, 3, 3, 1),
			1, 1.5, 2,
			2, 2.5, 3,
			3, 3.5, 4)},
		{"half pixel", false, true, img2x2, size4, f32(s(1, 4, 4, 1),
			1, 1.25, 1.75, 2,
			1.5, 1.75, 2.25, 2.5,
			2.5, 2.75, 3.25, 3.5,
			3, 3.25, 3.75, 4)},
		{"downsample", false, false, f32(s(1, 1, 4, 1), 1, 2, 3, 4), i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 1, 3)},
		{"uint8 to float", false, false, u8(s(1, 1, 2, 1), 0, 255), i32(s(2), 1, 4), f32(s(1, 1, 4, 1), 0, 127.5, 255, 255)},
		{"half input", false, true, f16(s(1, 1, 2, 1), 1, 2), i32(s(2), 1, 4), f32(s(1, 1, 4, 1), 1, 1.25, 1.75, 2)},
		{"int64 input", true, false, i64(s(1, 1, 2, 1), -4, 4), i32(s(2), 1, 3), f32(s(1, 1, 3, 1), -4, 0, 4)},
		{"same size is a cast", false, false, f32(s(1, 1, 2, 1), inf, 1), i32(s(2), 1, 2), f32(s(1, 1, 2, 1), inf, 1)},
		{"channels and batch", false, false, f32(s(2, 1, 2, 2), 0, 10, 2, 20, 4, 40, 6, 60), i32(s(2), 1, 4),
			f32(s(2, 1, 4, 2), 0, 10, 1, 15, 2, 20, 2, 20, 4, 40, 5, 50, 6, 60, 6, 60)},
		{"empty batch", false, false, f32(s(0, 2, 2, 1)), size4, f32(s(0, 4, 4, 1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "ResizeBilinear", resizeAttrs(tc.align, tc.half), tc.img, tc.size)
			assertClose(t, tc.want, out[0])
		})
	}
}

func TestResizeNearestNeighbor(t *testing.T) {
	row3 := f32(s(1, 1, 3, 1), 10, 20, 30)
	row4 := i32(s(1, 1, 4, 1), 10, 20, 30, 40)
	tests := []struct {
		name        string
		align, half bool
		img, size   *tensor.Tensor
		want        *tensor.Tensor
	}{
		{"upsample", false, false, img2x2, i32(s(2), 4, 4), f32(s(1, 4, 4, 1),
			1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4)},
		{"3 to 2 legacy", false, false, row3, i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 10, 20)},
		{"3 to 2 align corners", true, false, row3, i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 10, 30)},
		{"3 to 2 half pixel", false, true, row3, i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 10, 30)},
		{"4 to 3 legacy", false, false, row4, i32(s(2), 1, 3), i32(s(1, 1, 3, 1), 10, 20, 30)},
		{"4 to 3 half pixel", false, true, row4, i32(s(2), 1, 3), i32(s(1, 1, 3, 1), 10, 30, 40)},
		{"2 to 5 align corners rounds half away", true, false, f32(s(1, 1, 2, 1), 1, 2), i32(s(2), 1, 5),
			f32(s(1, 1, 5, 1), 1, 1, 2, 2, 2)},
		{"keeps dtype", false, false, u8(s(1, 1, 2, 2), 1, 2, 3, 4), i32(s(2), 1, 4),
			u8(s(1, 1, 4, 2), 1, 2, 1, 2, 3, 4, 3, 4)},
		{"half", false, false, f16(s(1, 1, 1, 1), 1.5), i32(s(2), 2, 2), f16(s(1, 2, 2, 1), 1.5, 1.5, 1.5, 1.5)},
		{"float64", false, false, f64(s(1, 1, 2, 1), 1, 2), i32(s(2), 1, 1), f64(s(1, 1, 1, 1), 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "ResizeNearestNeighbor", resizeAttrs(tc.align, tc.half), tc.img, tc.size)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestResizeArea(t *testing.T) {
	tests := []struct {
		name      string
		align     bool
		img, size *tensor.Tensor
		want      *tensor.Tensor
	}{
		{"halve", false, f32(s(1, 1, 4, 1), 1, 2, 3, 4), i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 1.5, 3.5)},
		{"3 to 2", false, f32(s(1, 1, 3, 1), 1, 2, 3), i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 2/1.5, 4/1.5)},
		{"upsample repeats", false, i32(s(1, 1, 1, 1), 7), i32(s(2), 2, 2), f32(s(1, 2, 2, 1), 7, 7, 7, 7)},
		{"2-D average", false, f32(s(1, 2, 2, 1), 1, 2, 3, 4), i32(s(2), 1, 1), f32(s(1, 1, 1, 1), 2.5)},
		// Scale 2: the second span runs past the edge, which repeats the last pixel.
		{"align corners", true, f32(s(1, 1, 3, 1), 1, 2, 3), i32(s(2), 1, 2), f32(s(1, 1, 2, 1), 1.5, 3)},
		{"uint8 channels", false, u8(s(1, 1, 2, 3), 0, 10, 20, 2, 12, 22), i32(s(2), 1, 1), f32(s(1, 1, 1, 3), 1, 11, 21)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "ResizeArea", map[string]any{"align_corners": tc.align}, tc.img, tc.size)
			assertClose(t, tc.want, out[0])
		})
	}
}

func TestResizeBicubic(t *testing.T) {
	img := f32(s(1, 3, 4, 1), 1, 5, 2, 8, 0, 3, 3, 1, 9, 2, 4, 6)
	for _, tc := range []struct {
		name        string
		align, half bool
	}{{"legacy", false, false}, {"align corners", true, false}, {"half pixel", false, true}} {
		t.Run(tc.name+"/same size is identity", func(t *testing.T) {
			out := run(t, "ResizeBicubic", resizeAttrs(tc.align, tc.half), img, i32(s(2), 3, 4))
			assertClose(t, img, out[0])
		})
		t.Run(tc.name+"/constant stays constant", func(t *testing.T) {
			c := f32(s(1, 2, 3, 2), 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5)
			out := run(t, "ResizeBicubic", resizeAttrs(tc.align, tc.half), c, i32(s(2), 5, 4))
			for _, v := range tensor.Values[float32](out[0]) {
				assert.InDelta(t, 5, v, 1e-5)
			}
		})
	}
	// Legacy upsampling by 2: odd outputs sit halfway between inputs and
	// take the a = -0.75 kernel's weights (-0.09375, 0.59375, 0.59375,
	// -0.09375), clamped at the border.
	out := run(t, "ResizeBicubic", resizeAttrs(false, false), f32(s(1, 1, 4, 1), 0, 0, 1, 1), i32(s(2), 1, 8))
	assertClose(t, f32(s(1, 1, 8, 1), 0, -0.09375, 0, 0.5, 1, 1.09375, 1, 1), out[0])
}

func TestResizeErrors(t *testing.T) {
	size := i32(s(2), 2, 2)
	for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"} {
		t.Run(op, func(t *testing.T) {
			kerneltest.RunInvalid(t, op, []kerneltest.InvalidCase{
				{Name: "rank 3", In: []*tensor.Tensor{f32(s(2, 2, 1), 1, 2, 3, 4), size}},
				{Name: "no channels", In: []*tensor.Tensor{f32(s(1, 2, 2, 0)), size}},
				{Name: "empty image", In: []*tensor.Tensor{f32(s(1, 0, 2, 1)), size}},
				{Name: "zero size", In: []*tensor.Tensor{img2x2, i32(s(2), 0, 2)}},
				{Name: "size of 3", In: []*tensor.Tensor{img2x2, i32(s(3), 2, 2, 2)}},
				{Name: "size matrix", In: []*tensor.Tensor{img2x2, i32(s(1, 2), 2, 2)}},
			})
		})
	}
	_, err := call("ResizeBilinear", resizeAttrs(true, true), img2x2, size)
	require.Error(t, err)
	assert.ErrorContains(t, err, "half_pixel_centers")
	_, err = call("ResizeBilinear", nil, str(s(1, 1, 1, 1), "x"), size)
	assert.ErrorContains(t, err, "not supported")
}
