package image

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// glimpse holds an ExtractGlimpse node's attributes. version is 1 for
// ExtractGlimpse and 2 for ExtractGlimpseV2, which place an offset
// differently when it is not normalized or not centered.
type glimpse struct {
	version              int
	centered, normalized bool
	// noise is what fills the part of a glimpse outside the image:
	// "zero", or one of the random fills "uniform" and "gaussian",
	// which tfoffload refuses when some of the glimpse needs them.
	noise string
}

// newGlimpse builds ExtractGlimpse (version 1) or ExtractGlimpseV2.
func newGlimpse(version int) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		g := glimpse{version: version}
		var err error
		if g.centered, err = n.Attrs.Bool("centered", true); err != nil {
			return nil, n.AttrError("centered", err)
		}
		if g.normalized, err = n.Attrs.Bool("normalized", true); err != nil {
			return nil, n.AttrError("normalized", err)
		}
		uniform, err := n.Attrs.Bool("uniform_noise", true)
		if err != nil {
			return nil, n.AttrError("uniform_noise", err)
		}
		if g.noise, err = n.Attrs.String("noise", "uniform"); err != nil {
			return nil, n.AttrError("noise", err)
		}
		if uniform && g.noise != "" && g.noise != "uniform" {
			return nil, kernel.Invalid("The uniform_noise and noise should not be specified at the same time")
		}
		switch g.noise {
		case "":
			// Before the noise attribute, uniform_noise chose between
			// uniform and Gaussian noise.
			g.noise = "gaussian"
			if uniform {
				g.noise = "uniform"
			}
		case "uniform", "gaussian", "zero":
		default:
			return nil, n.AttrError("noise", fmt.Errorf("want 'uniform', 'gaussian' or 'zero', got %q", g.noise))
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			out, err := g.run(in[0], in[1], in[2])
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// run cuts one glimpse from each image, as Eigen's GlimpseExtractionOp
// (tensorflow/core/kernels/eigen_attention.h) does.
func (g glimpse) run(input, size, offsets *tensor.Tensor) (*tensor.Tensor, error) {
	is := input.Shape()
	if len(is) != 4 {
		return nil, kernel.Invalid("input must be 4-dimensional%v", is)
	}
	if size.Rank() != 1 || size.Shape()[0] != 2 {
		return nil, kernel.Invalid("input must be a vector of size 2 (height, width)%v", size.Shape())
	}
	hw, err := kernel.Ints(size)
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	height, width := hw[0], hw[1]
	if height < 0 || width < 0 {
		return nil, kernel.Invalid("glimpse size must not be negative, got %v", hw)
	}
	if offsets.Rank() != 2 {
		return nil, kernel.Invalid("input must be a matrix%v", offsets.Shape())
	}
	if offsets.Shape()[0] != is[0] {
		return nil, kernel.Invalid("first dimension should be batch%v", offsets.Shape())
	}
	if offsets.Shape()[1] != 2 {
		return nil, kernel.Invalid("second dimension should be of size 2 (y,x)%v", offsets.Shape())
	}
	batch, inH, inW, depth := is[0], is[1], is[2], is[3]
	outShape := tensor.Shape{batch, height, width, depth}
	if err := kernel.CheckOutput(tensor.Float32, outShape); err != nil {
		return nil, err
	}
	out := make([]float32, outShape.NumElements())
	if len(out) == 0 {
		return tensor.FromSlice(outShape, out)
	}
	if inH <= 0 || inW <= 0 {
		return nil, kernel.Invalid("input image must not be empty%v", is)
	}
	src, ok := input.Data().([]float32)
	if !ok {
		return nil, kernel.Unsupported("input dtype %v (want float32)", input.DType())
	}
	off, err := kernel.Float32s(offsets)
	if err != nil {
		return nil, err
	}
	for b := range batch {
		y, x := off[2*b], off[2*b+1]
		x0, w, dx := g.window(x, inW, width)
		y0, h, dy := g.window(y, inH, height)
		if (w < width || h < height) && g.noise != "zero" {
			return nil, kernel.Unsupported("glimpse %d lies partly outside the image and noise is %q: tfoffload fills only with zero noise (set noise='zero')", b, g.noise)
		}
		img := src[b*inH*inW*depth:]
		dst := out[b*height*width*depth:]
		for r := range h {
			from := img[((y0+r)*inW+x0)*depth:]
			copy(dst[((dy+r)*width+dx)*depth:], from[:w*depth])
		}
	}
	return tensor.FromSlice(outShape, out)
}

// window places a glimpse of length n along an image axis of length
// size at offset o: the first image index it copies, how many it copies,
// and where in the glimpse they go.
func (g glimpse) window(o float32, size, n int) (first, count, at int) {
	fsize, fn := float32(size), float32(n)
	switch {
	case g.version == 1 || g.normalized:
		if g.normalized {
			o *= fsize
		}
		if g.centered {
			o = o/2 + fsize/2
		}
		if g.version == 1 || g.centered {
			o -= fn / 2
		}
	case g.centered:
		o += fsize / 2
	}
	start := int(o) // C++'s conversion: toward zero
	count = n
	if start < 0 {
		count = max(0, n+start)
		at = n - count
		first = 0
	} else {
		first = start
		if start+n >= size {
			count = max(0, size-start)
		}
	}
	return first, min(count, size), at
}
