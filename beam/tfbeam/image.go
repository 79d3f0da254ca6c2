package tfbeam

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // image.Decode's formats
	_ "image/jpeg"
	_ "image/png"
	"math"

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
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding the image: %w", err)
	}
	if err := tensor.CheckAlloc(tensor.Float64, []int{cfg.Height, cfg.Width, 3}); err != nil {
		return nil, fmt.Errorf("a %dx%d image: %w", cfg.Width, cfg.Height, err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding the image: %w", err)
	}
	vals := resizeBilinear(pixels(img, c), img.Bounds().Dy(), img.Bounds().Dx(), c, h, w)
	for i, v := range vals {
		vals[i] = v*scale + offset
		if dt.IsInteger() {
			vals[i] = math.Round(vals[i])
		}
	}
	return tensor.FromFloat64s(dt, tensor.Shape{1, h, w, c}, vals)
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

// pixels returns img's 8-bit values, row-major [H, W, c]: RGB for c = 3,
// ITU-R 601 luma (as image/color's Gray model) for c = 1.
func pixels(img image.Image, c int) []float64 {
	b := img.Bounds()
	out := make([]float64, 0, b.Dx()*b.Dy()*c)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if c == 1 {
				out = append(out, float64((19595*r+38470*g+7471*bl+1<<15)>>24))
				continue
			}
			out = append(out, float64(r>>8), float64(g>>8), float64(bl>>8))
		}
	}
	return out
}

// resizeBilinear resizes src [sh, sw, c] to [dh, dw, c] as TensorFlow's
// tf.image.resize(method="bilinear") does (half-pixel centres, no
// antialiasing): output pixel centre (x+0.5)·sw/dw - 0.5, clamped to the
// image, interpolated between its four neighbours.
func resizeBilinear(src []float64, sh, sw, c, dh, dw int) []float64 {
	out := make([]float64, 0, dh*dw*c)
	ys := sampleGrid(sh, dh)
	xs := sampleGrid(sw, dw)
	for _, y := range ys {
		for _, x := range xs {
			for ch := range c {
				at := func(yi, xi int) float64 { return src[(yi*sw+xi)*c+ch] }
				top := at(y.lo, x.lo) + (at(y.lo, x.hi)-at(y.lo, x.lo))*x.frac
				bottom := at(y.hi, x.lo) + (at(y.hi, x.hi)-at(y.hi, x.lo))*x.frac
				out = append(out, top+(bottom-top)*y.frac)
			}
		}
	}
	return out
}

// sample is where one output coordinate reads: between lo and hi, frac of
// the way.
type sample struct {
	lo, hi int
	frac   float64
}

func sampleGrid(in, out int) []sample {
	s := make([]sample, out)
	scale := float64(in) / float64(out)
	for i := range s {
		p := max((float64(i)+0.5)*scale-0.5, 0)
		lo := min(int(math.Floor(p)), in-1)
		s[i] = sample{lo: lo, hi: min(lo+1, in-1), frac: p - float64(lo)}
	}
	return s
}
