package image

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestCropAndResize(t *testing.T) {
	whole := f32(s(1, 4), 0, 0, 1, 1)
	tests := []struct {
		name       string
		attrs      map[string]any
		image      *tensor.Tensor
		boxes, ind *tensor.Tensor
		size       *tensor.Tensor
		want       *tensor.Tensor
	}{
		{"whole image", nil, img2x2, whole, i32(s(1), 0), i32(s(2), 2, 2), f32(s(1, 2, 2, 1), 1, 2, 3, 4)},
		{"upsample", nil, img2x2, whole, i32(s(1), 0), i32(s(2), 3, 3), f32(s(1, 3, 3, 1), 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4)},
		{"single sample takes the centre", nil, img2x2, f32(s(1, 4), 0, 0, 0.5, 0.5), i32(s(1), 0), i32(s(2), 1, 1),
			f32(s(1, 1, 1, 1), 1.75)},
		{"extrapolation", map[string]any{"extrapolation_value": float32(9)}, img2x2, f32(s(1, 4), -1, -1, 0, 0),
			i32(s(1), 0), i32(s(2), 2, 2), f32(s(1, 2, 2, 1), 9, 9, 9, 1)},
		{"flipped box", nil, img2x2, f32(s(1, 4), 1, 1, 0, 0), i32(s(1), 0), i32(s(2), 2, 2), f32(s(1, 2, 2, 1), 4, 3, 2, 1)},
		{"nearest", map[string]any{"method": "nearest"}, img2x2, whole, i32(s(1), 0), i32(s(2), 3, 3),
			f32(s(1, 3, 3, 1), 1, 2, 2, 3, 4, 4, 3, 4, 4)},
		{"box index picks the image", nil, f32(s(2, 1, 1, 2), 1, 2, 3, 4), f32(s(2, 4), 0, 0, 1, 1, 0, 0, 1, 1),
			i32(s(2), 1, 0), i32(s(2), 1, 1), f32(s(2, 1, 1, 2), 3, 4, 1, 2)},
		{"uint8 image", nil, u8(s(1, 1, 2, 1), 0, 255), f32(s(1, 4), 0, 0, 1, 1), i32(s(1), 0), i32(s(2), 1, 3),
			f32(s(1, 1, 3, 1), 0, 127.5, 255)},
		{"half image", nil, f16(s(1, 2, 2, 1), 1, 2, 3, 4), whole, i32(s(1), 0), i32(s(2), 2, 2), f32(s(1, 2, 2, 1), 1, 2, 3, 4)},
		{"no boxes", nil, img2x2, f32(s(0, 4)), i32(s(0)), i32(s(2), 2, 2), f32(s(0, 2, 2, 1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "CropAndResize", tc.attrs, tc.image, tc.boxes, tc.ind, tc.size)
			assertClose(t, tc.want, out[0])
		})
	}
}

func TestCropAndResizeErrors(t *testing.T) {
	box := f32(s(1, 4), 0, 0, 1, 1)
	ind := i32(s(1), 0)
	size := i32(s(2), 2, 2)
	nan := float32(math.NaN())
	kerneltest.RunInvalid(t, "CropAndResize", []kerneltest.InvalidCase{
		{Name: "box index out of range", In: []*tensor.Tensor{img2x2, box, i32(s(1), 1), size}},
		{Name: "negative box index", In: []*tensor.Tensor{img2x2, box, i32(s(1), -1), size}},
		{Name: "non-finite box", In: []*tensor.Tensor{img2x2, f32(s(1, 4), 0, nan, 1, 1), ind, size}},
		{Name: "image rank", In: []*tensor.Tensor{f32(s(2, 2), 1, 2, 3, 4), box, ind, size}},
		{Name: "boxes columns", In: []*tensor.Tensor{img2x2, f32(s(1, 3), 0, 0, 1), ind, size}},
		{Name: "box index count", In: []*tensor.Tensor{img2x2, box, i32(s(2), 0, 0), size}},
		{Name: "zero crop", In: []*tensor.Tensor{img2x2, box, ind, i32(s(2), 0, 2)}},
		{Name: "crop size length", In: []*tensor.Tensor{img2x2, box, ind, i32(s(1), 2)}},
	})
	_, err := call("CropAndResize", map[string]any{"method": "bicubic"}, img2x2, box, ind, size)
	assert.ErrorContains(t, err, "method")
}
