package tfshape

import (
	"fmt"

	"github.com/tfoffload/tfoffload/graph"
)

// Conv2D holds the attributes the 2-D convolutions share, in row and
// column terms.
type Conv2D struct {
	NCHW                 bool
	StrideH, StrideW     int
	DilationH, DilationW int
	Padding              Padding
	// Explicit padding of the rows and columns (EXPLICIT only).
	PadTop, PadBottom, PadLeft, PadRight int
}

// Conv2DOptions select the per-op differences in attribute handling.
type Conv2DOptions struct {
	// EqualStrides demands equal row and column strides, as TensorFlow's
	// DepthwiseConv2dNative kernel does.
	EqualStrides bool
	// NoDataFormat is set for ops without a data_format attribute.
	NoDataFormat bool
}

// ReadConv2D reads and validates a 2-D convolution's attributes as
// TensorFlow's InitConv2DParameters and CheckValidPadding do.
func ReadConv2D(a graph.Attrs, opts Conv2DOptions) (Conv2D, error) {
	var c Conv2D
	df := "NHWC"
	if !opts.NoDataFormat {
		var err error
		if df, err = a.String("data_format", "NHWC"); err != nil {
			return c, err
		}
	}
	switch df {
	case "NHWC":
	case "NCHW":
		c.NCHW = true
	default:
		return c, invalid("attribute data_format: invalid data format %q", df)
	}
	strides, err := a.Ints("strides", nil)
	if err != nil {
		return c, err
	}
	if len(strides) != 4 {
		return c, invalid("attribute strides: sliding window strides field must specify 4 dimensions")
	}
	sn, sc, sh, sw := c.nchw4(strides)
	if sn != 1 || sc != 1 {
		return c, invalid("attribute strides: current implementation does not yet support strides in the batch and depth dimensions")
	}
	if sh <= 0 || sw <= 0 {
		return c, invalid("attribute strides: row and column strides should be larger than 0")
	}
	if opts.EqualStrides && sh != sw {
		return c, invalid("attribute strides: current implementation only supports equal length strides in the row and column dimensions")
	}
	c.StrideH, c.StrideW = int(sh), int(sw)
	dilations, err := a.Ints("dilations", []int64{1, 1, 1, 1})
	if err != nil {
		return c, err
	}
	if len(dilations) != 4 {
		return c, invalid("attribute dilations: sliding window dilations field must specify 4 dimensions")
	}
	dn, dc, dh, dw := c.nchw4(dilations)
	if dn != 1 || dc != 1 {
		return c, invalid("attribute dilations: current implementation does not yet support dilations in the batch and depth dimensions")
	}
	if dh <= 0 || dw <= 0 {
		return c, invalid("attribute dilations: dilated rates should be larger than 0")
	}
	c.DilationH, c.DilationW = int(dh), int(dw)
	ps, err := a.String("padding", "")
	if err != nil {
		return c, err
	}
	if c.Padding, err = ParsePadding(ps); err != nil {
		return c, fmt.Errorf("attribute padding: %w", err)
	}
	explicit, err := a.Ints("explicit_paddings", nil)
	if err != nil {
		return c, err
	}
	if c.PadTop, c.PadBottom, c.PadLeft, c.PadRight, err = ExplicitPaddings(explicit, c.Padding, c.NCHW); err != nil {
		return c, fmt.Errorf("attribute %w", err)
	}
	return c, nil
}

// nchw4 returns the N, C, H and W entries of a 4-element attribute laid
// out in the op's data format.
func (c Conv2D) nchw4(v []int64) (n, ch, h, w int64) {
	if c.NCHW {
		return v[0], v[1], v[2], v[3]
	}
	return v[0], v[3], v[1], v[2]
}

// Output returns the output rows and columns of the convolution of an
// h×w input by a kh×kw filter, and the padding before them.
func (c Conv2D) Output(h, w, kh, kw int) (oh, ow, padTop, padLeft int, err error) {
	if oh, padTop, _, err = Windowed(h, kh, c.DilationH, c.StrideH, c.Padding, c.PadTop, c.PadBottom); err != nil {
		return
	}
	ow, padLeft, _, err = Windowed(w, kw, c.DilationW, c.StrideW, c.Padding, c.PadLeft, c.PadRight)
	return
}
