package tfbeam

import (
	"fmt"

	"github.com/tfoffload/tfoffload/dataset"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// How ImageOptions.Scale maps 8-bit pixel values.
const (
	ScaleUnit      = "unit"      // v/255: [0, 1]; the default for float inputs
	ScaleSymmetric = "symmetric" // v/127.5 - 1: [-1, 1], as MobileNet and Inception expect
	ScaleRaw       = "raw"       // v: [0, 255]; the default (and the only one) for integer inputs
)

// ImageOptions says how images become input tensors.
type ImageOptions struct {
	// Width and Height are the size images are resized to; zero takes
	// the input's static width and height ([N, H, W, C]).
	Width, Height int
	// Scale is ScaleUnit, ScaleSymmetric or ScaleRaw; "" is ScaleUnit for
	// a float input and ScaleRaw for an integer one.
	Scale string
}

// imageTensor decodes an image file and makes the [1, H, W, C] value for
// the input in: C (1 or 3) is the input's last dimension, 3 when unknown.
func imageTensor(data []byte, in graph.TensorInfo, o ImageOptions) (*tensor.Tensor, error) {
	h, w, c := o.Height, o.Width, 3
	if in.RankKnown {
		if len(in.Shape) != 4 {
			return nil, fmt.Errorf("an image feeds a [N,H,W,C] input; %s is %v", in.Name, in.Shape)
		}
		if h == 0 {
			h = int(in.Shape[1])
		}
		if w == 0 {
			w = int(in.Shape[2])
		}
		if in.Shape[3] > 0 {
			c = int(in.Shape[3])
		}
	}
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("input %s has no static height and width: set the image size", in.Name)
	}
	if c != 1 && c != 3 {
		return nil, fmt.Errorf("input %s has %d channels; images give 1 (gray) or 3 (RGB)", in.Name, c)
	}
	dt := in.DType
	if dt == tensor.Invalid {
		dt = tensor.Float32
	}
	scale, offset, err := pixelScale(o.Scale, dt)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", in.Name, err)
	}
	// dataset decodes (JPEG as TensorFlow's DecodeJpeg does) and resizes
	// with tf.image.resize's bilinear kernel.
	p := dataset.Preprocess{Height: h, Width: w, Channels: c, Scale: scale, Mean: []float64{-offset}}
	if p, err = p.WithSize(nil, dt); err != nil {
		return nil, fmt.Errorf("input %s: %w", in.Name, err)
	}
	if p.DType != dt.String() { // WithSize keeps float32 for a dtype images cannot have
		return nil, fmt.Errorf("input %s is %v; images feed float16, float32, float64, uint8 or int32 inputs", in.Name, dt)
	}
	return dataset.Image(data, p)
}

// pixelScale returns v ↦ v*scale + offset for a Scale name.
func pixelScale(name string, dt tensor.DType) (scale, offset float64, err error) {
	if name == "" {
		name = ScaleUnit
		if !dt.IsFloat() {
			name = ScaleRaw
		}
	}
	if !dt.IsFloat() && name != ScaleRaw {
		return 0, 0, fmt.Errorf("a %v input takes raw pixel values, not scale %q", dt, name)
	}
	switch name {
	case ScaleUnit:
		return 1.0 / 255, 0, nil
	case ScaleSymmetric:
		return 1.0 / 127.5, -1, nil
	case ScaleRaw:
		return 1, 0, nil
	}
	return 0, 0, fmt.Errorf("unknown image scale %q (want %s, %s or %s)", name, ScaleUnit, ScaleSymmetric, ScaleRaw)
}
