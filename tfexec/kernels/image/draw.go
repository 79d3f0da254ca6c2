package image

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// defaultColors is TensorFlow's default RGBA colour table for boxes.
var defaultColors = [][]float32{
	{1, 1, 0, 1},     // yellow
	{0, 0, 1, 1},     // blue
	{1, 0, 0, 1},     // red
	{0, 1, 0, 1},     // lime
	{0.5, 0, 0.5, 1}, // purple
	{0.5, 0.5, 0, 1}, // olive
	{0.5, 0, 0, 1},   // maroon
	{0, 0, 0.5, 1},   // navy blue
	{0, 1, 1, 1},     // aqua
	{1, 0, 1, 1},     // fuchsia
}

// drawBoundingBoxes is DrawBoundingBoxes (images, boxes) and
// DrawBoundingBoxesV2 (images, boxes, colors): a copy of the images with
// each box's one-pixel outline painted, box k in colour k mod len(colors).
func drawBoundingBoxes(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) != 2 && len(in) != 3 {
		return nil, kernel.Invalid("expected 2 or 3 inputs, got %d", len(in))
	}
	images, boxes := in[0], in[1]
	if images.Rank() != 4 {
		return nil, kernel.Invalid("The rank of the images should be 4")
	}
	if boxes.Rank() != 3 {
		return nil, kernel.Invalid("The rank of the boxes tensor should be 3")
	}
	is, bs := images.Shape(), boxes.Shape()
	if is[0] != bs[0] {
		return nil, kernel.Invalid("The batch sizes should be the same")
	}
	depth := is[3]
	if depth != 1 && depth != 3 && depth != 4 {
		return nil, kernel.Invalid("Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
	}
	if bs[2] != 4 {
		return nil, kernel.Invalid("The size of the third dimension of the box must be 4. Received: %d", bs[2])
	}
	var colors [][]float32
	if len(in) == 3 {
		ct := in[2]
		if ct.Rank() != 2 {
			return nil, kernel.Invalid("colors must be a 2-D matrix%v", ct.Shape())
		}
		if ct.Shape()[1] < depth {
			return nil, kernel.Invalid("colors must have equal or more channels than the image provided: %v", ct.Shape())
		}
		if ct.NumElements() != 0 {
			cv, err := kernel.Float32s(ct)
			if err != nil {
				return nil, err
			}
			w := ct.Shape()[1]
			for i := 0; i < ct.Shape()[0]; i++ {
				colors = append(colors, cv[i*w:i*w+depth])
			}
		}
	}
	if len(colors) == 0 {
		colors = make([][]float32, len(defaultColors))
		for i, c := range defaultColors {
			colors[i] = append([]float32(nil), c...)
			if depth == 1 {
				colors[i][0] = 1
			}
		}
	}
	bv, err := kernel.Float32s(boxes)
	if err != nil {
		return nil, err
	}
	out := images.Clone()
	var paint func(off int, color []float32)
	switch v := out.Data().(type) {
	case []float32:
		paint = func(off int, color []float32) { copy(v[off:off+depth], color[:depth]) }
	case []tensor.F16:
		paint = func(off int, color []float32) {
			for c := 0; c < depth; c++ {
				v[off+c] = tensor.NewF16(color[c])
			}
		}
	default:
		return nil, kernel.Unsupported("dtype %v (want float32 or float16)", images.DType())
	}
	height, width := is[1], is[2]
	at := func(b, y, x int) int { return ((b*height+y)*width + x) * depth }
	for b := 0; b < is[0]; b++ {
		for k := 0; k < bs[1]; k++ {
			box := bv[(b*bs[1]+k)*4:]
			color := colors[k%len(colors)]
			// C++ converts float products to int64 by truncation.
			minRow := int(box[0] * float32(height-1))
			maxRow := int(box[2] * float32(height-1))
			minCol := int(box[1] * float32(width-1))
			maxCol := int(box[3] * float32(width-1))
			if minRow > maxRow || minCol > maxCol {
				continue // inverted: TensorFlow logs and skips it
			}
			if minRow >= height || maxRow < 0 || minCol >= width || maxCol < 0 {
				continue // completely outside the image
			}
			minRowC, maxRowC := max(minRow, 0), min(maxRow, height-1)
			minColC, maxColC := max(minCol, 0), min(maxCol, width-1)
			if minRow >= 0 {
				for j := minColC; j <= maxColC; j++ {
					paint(at(b, minRow, j), color)
				}
			}
			if maxRow < height {
				for j := minColC; j <= maxColC; j++ {
					paint(at(b, maxRow, j), color)
				}
			}
			if minCol >= 0 {
				for i := minRowC; i <= maxRowC; i++ {
					paint(at(b, i, minCol), color)
				}
			}
			if maxCol < width {
				for i := minRowC; i <= maxRowC; i++ {
					paint(at(b, i, maxCol), color)
				}
			}
		}
	}
	return []*tensor.Tensor{out}, nil
}
