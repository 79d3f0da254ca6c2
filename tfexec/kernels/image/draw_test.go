package image

import (
	"testing"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestDrawBoundingBoxes(t *testing.T) {
	zeros := f32(s(1, 4, 4, 1), make([]float32, 16)...)
	tests := []struct {
		name string
		op   string
		in   []*tensor.Tensor
		want *tensor.Tensor
	}{
		{"whole image, grey", "DrawBoundingBoxes", []*tensor.Tensor{zeros, f32(s(1, 1, 4), 0, 0, 1, 1)},
			f32(s(1, 4, 4, 1), 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1)},
		{"partly outside", "DrawBoundingBoxes", []*tensor.Tensor{zeros, f32(s(1, 1, 4), 0.34, -1, 2, 0.34)},
			f32(s(1, 4, 4, 1), 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0)},
		{"inverted is skipped", "DrawBoundingBoxes", []*tensor.Tensor{zeros, f32(s(1, 1, 4), 1, 1, 0, 0)}, zeros},
		{"colors", "DrawBoundingBoxesV2", []*tensor.Tensor{
			f32(s(1, 2, 2, 3), make([]float32, 12)...), f32(s(1, 2, 4), 0, 0, 0, 0, 1, 1, 1, 1),
			f32(s(2, 4), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)},
			f32(s(1, 2, 2, 3), 0.1, 0.2, 0.3, 0, 0, 0, 0, 0, 0, 0.5, 0.6, 0.7)},
		{"default colors", "DrawBoundingBoxesV2", []*tensor.Tensor{
			f32(s(1, 1, 2, 4), make([]float32, 8)...), f32(s(1, 2, 4), 0, 0, 0, 0, 0, 1, 0, 1), f32(s(0, 4))},
			f32(s(1, 1, 2, 4), 1, 1, 0, 1, 0, 0, 1, 1)},
		{"half", "DrawBoundingBoxes", []*tensor.Tensor{f16(s(1, 1, 1, 1), 0.25), f32(s(1, 1, 4), 0, 0, 0, 0)},
			f16(s(1, 1, 1, 1), 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, tc.op, nil, tc.in...)
			assertTensor(t, tc.want, out[0])
		})
	}
	img := f32(s(1, 2, 2, 2), make([]float32, 8)...)
	kerneltest.RunInvalid(t, "DrawBoundingBoxes", []kerneltest.InvalidCase{
		{Name: "two channels", In: []*tensor.Tensor{img, f32(s(1, 1, 4), 0, 0, 1, 1)}},
		{Name: "batch mismatch", In: []*tensor.Tensor{zeros, f32(s(2, 1, 4), 0, 0, 1, 1, 0, 0, 1, 1)}},
		{Name: "box width", In: []*tensor.Tensor{zeros, f32(s(1, 1, 3), 0, 0, 1)}},
		{Name: "image rank", In: []*tensor.Tensor{f32(s(2, 2), 0, 0, 0, 0), f32(s(1, 1, 4), 0, 0, 1, 1)}},
	})
}
