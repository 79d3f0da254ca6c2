package conv

import (
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// convAttrs are the attributes shared by the 2-D convolutions, read by
// tfshape.ReadConv2D.
type convAttrs struct{ tfshape.Conv2D }

// convAttrOpts selects the per-op differences in attribute handling.
type convAttrOpts = tfshape.Conv2DOptions

func parseConvAttrs(n *kernel.Node, opts convAttrOpts) (convAttrs, error) {
	c, err := tfshape.ReadConv2D(n.Attrs, opts)
	return convAttrs{c}, err
}

// geometry is a 2-D convolution's shape in channels-last terms.
type geometry struct {
	n, h, w, c   int // input
	kh, kw       int // filter window
	oh, ow       int // output
	padT, padL   int // padding before the first row and column
	sh, sw       int // strides
	dh, dw       int // dilations
	groups       int // input channels / filter input channels
	cin, coutAll int // filter input channels (per group) and output channels
}

// geometry computes the output size of a convolution of an input with
// dimensions (n, h, w, c) by a kh×kw filter.
func (a convAttrs) geometry(n, h, w, c, kh, kw int) (geometry, error) {
	g := geometry{n: n, h: h, w: w, c: c, kh: kh, kw: kw, sh: a.StrideH, sw: a.StrideW, dh: a.DilationH, dw: a.DilationW}
	var err error
	g.oh, g.ow, g.padT, g.padL, err = a.Output(h, w, kh, kw)
	return g, err
}

// nhwcDims returns the N, H, W, C dimensions of a 4-D shape in the op's
// data format.
func (a convAttrs) nhwcDims(s []int) (n, h, w, c int) {
	if a.NCHW {
		return s[0], s[2], s[3], s[1]
	}
	return s[0], s[1], s[2], s[3]
}

// shape returns the 4-D shape with the given N, H, W, C dimensions in the
// op's data format.
func (a convAttrs) shape(n, h, w, c int) []int {
	if a.NCHW {
		return []int{n, c, h, w}
	}
	return []int{n, h, w, c}
}
