package conv

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// depthwiseTypes are the dtypes of the depthwise convolutions.
var depthwiseTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16}

func newDepthwise(fused, equalStrides bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		attrs, err := parseConvAttrs(n, convAttrOpts{EqualStrides: equalStrides})
		if err != nil {
			return nil, err
		}
		var f *fusion
		if fused {
			if f, err = parseFusion(n, "DepthwiseConv2dNative"); err != nil {
				return nil, err
			}
		}
		if _, err := dtypeOf(n, "T", depthwiseTypes...); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			out, err := depthwise(attrs, f, in)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func depthwise(attrs convAttrs, f *fusion, in []*tensor.Tensor) (*tensor.Tensor, error) {
	want := 2
	if f != nil {
		want += f.numArgs
	}
	if err := kernel.CheckInputs(in, want); err != nil {
		return nil, err
	}
	x, filter := in[0], in[1]
	dt, err := operandDType(depthwiseTypes, in...)
	if err != nil {
		return nil, err
	}
	if x.Rank() != 4 {
		return nil, fmt.Errorf("input must be 4-dimensional, got shape %v", x.Shape())
	}
	if filter.Rank() != 4 {
		return nil, fmt.Errorf("filter must be 4-dimensional, got shape %v", filter.Shape())
	}
	n, h, w, c := attrs.nhwcDims(x.Shape())
	fs := filter.Shape()
	if c != fs[2] {
		return nil, fmt.Errorf("input and filter must have the same depth: %d vs %d", c, fs[2])
	}
	g, err := attrs.geometry(n, h, w, c, fs[0], fs[1])
	if err != nil {
		return nil, err
	}
	mult := fs[3]
	g.cin, g.coutAll, g.groups = 1, c*mult, c
	outShape := tensor.Shape(attrs.shape(n, g.oh, g.ow, c*mult))
	// The output, and the input with each channel repeated mult times
	// that a channel multiplier above 1 builds first.
	if err := tensor.CheckAlloc(dt, outShape); err != nil {
		return nil, err
	}
	if err := tensor.CheckAlloc(dt, append(x.Shape().Clone(), mult)); err != nil {
		return nil, err
	}
	if outShape.NumElements() == 0 {
		return tensor.New(dt, outShape)
	}
	l := outLayout{shape: outShape, nchw: attrs.NCHW}
	var args []*tensor.Tensor
	if f != nil {
		args = in[2:]
	}
	if dt == tensor.Float64 {
		return depthwiseFloat[float64](attrs, g, mult, f, x, filter, args, l)
	}
	return depthwiseFloat[float32](attrs, g, mult, f, x, filter, args, l)
}

func depthwiseFloat[T float](attrs convAttrs, g geometry, mult int, f *fusion, x, filter *tensor.Tensor, args []*tensor.Tensor, l outLayout) (*tensor.Tensor, error) {
	xs, err := floats[T](x)
	if err != nil {
		return nil, err
	}
	fs, err := floats[T](filter)
	if err != nil {
		return nil, err
	}
	if attrs.NCHW {
		xs = nchwToNHWC(xs, g.n, g.c, g.h, g.w)
	}
	out := make([]T, l.shape.NumElements())
	var epi epilogueFunc
	if f != nil {
		e, err := newEpilogue(f, args, l, out)
		if err != nil {
			return nil, err
		}
		epi = e.apply
	}
	depthwiseNHWC(dwKern, g, mult, xs, fs, out, epi)
	if attrs.NCHW {
		out = nhwcToNCHW(out, g.n, g.oh, g.ow, g.coutAll)
	}
	return fromFloats(x.DType(), l.shape, out)
}

// depthwiseNHWC computes a depthwise convolution of NHWC x by the
// [kh, kw, c, mult] filter into out, one output row per task. Every
// output pixel is a sum over its valid taps of input channels times filter
// channels. The pixels whose window lies inside the input share one list
// of tap offsets and go to the vector kernel as one run per row; border
// pixels get their own list of valid taps. A channel multiplier above 1
// first repeats each input channel mult times, turning the problem into
// one with multiplier 1 over c·mult channels.
func depthwiseNHWC[T float](dk dwKernel, g geometry, mult int, x, filter, out []T, epi epilogueFunc) {
	c := g.c
	if mult > 1 {
		x = repeatChannels(x, mult)
		c *= mult
	}
	// (input, filter) offsets of the taps of an interior pixel, relative
	// to its window's top-left input pixel.
	taps := make([]int, 0, 2*g.kh*g.kw)
	for khi := 0; khi < g.kh; khi++ {
		for kwi := 0; kwi < g.kw; kwi++ {
			taps = append(taps, (khi*g.dh*g.w+kwi*g.dw)*c, (khi*g.kw+kwi)*c)
		}
	}
	// Output columns whose window is inside the input horizontally.
	owLo := min(g.ow, ceilDiv(g.padL, g.sw))
	owHi := max(owLo, min(g.ow, floorDiv(g.w-1-(g.kw-1)*g.dw+g.padL, g.sw)+1))
	run := func(px []T, base int, taps []int, npix int) {
		if xs, ok := any(x).([]float32); ok {
			dwFloat32(dk, dwArgs{out: any(px).([]float32), in: xs, f: any(filter).([]float32), base: base, taps: taps,
				nch: c, npix: npix, inStep: g.sw * c, outStep: c})
			return
		}
		dwGeneric(px, x, filter, base, taps, c, npix, g.sw*c, c)
	}
	kernel.ParallelFor(g.n*g.oh, g.ow*g.kh*g.kw*c, func(lo, hi int) {
		border := make([]int, 0, 2*g.kh*g.kw)
		for row := lo; row < hi; row++ {
			b, oh := row/g.oh, row%g.oh
			ih0 := oh*g.sh - g.padT
			img := b * g.h * g.w * c
			rowOut := out[row*g.ow*c : (row+1)*g.ow*c]
			lo, hi := owLo, owHi
			if ih0 < 0 || ih0+(g.kh-1)*g.dh >= g.h {
				lo, hi = g.ow, g.ow // no interior pixels on this row
			}
			if hi > lo {
				base := img + (ih0*g.w+lo*g.sw-g.padL)*c
				run(rowOut[lo*c:], base, taps, hi-lo)
			}
			for ow := 0; ow < g.ow; ow++ {
				if ow == lo && hi > lo {
					ow = hi - 1
					continue
				}
				iw0 := ow*g.sw - g.padL
				border = border[:0]
				for khi := 0; khi < g.kh; khi++ {
					ih := ih0 + khi*g.dh
					if ih < 0 || ih >= g.h {
						continue
					}
					for kwi := 0; kwi < g.kw; kwi++ {
						iw := iw0 + kwi*g.dw
						if iw < 0 || iw >= g.w {
							continue
						}
						border = append(border, (ih*g.w+iw)*c, (khi*g.kw+kwi)*c)
					}
				}
				px := rowOut[ow*c : (ow+1)*c]
				if len(border) == 0 {
					clear(px)
					continue
				}
				run(px, img, border, 1)
			}
			if epi != nil {
				epi(row*g.ow, (row+1)*g.ow, 0, c)
			}
		}
	})
}

// dwFloat32 runs the vector kernel over the channels it covers and the
// portable one over the rest.
func dwFloat32(dk dwKernel, a dwArgs) {
	n := a.nch / dk.lanes * dk.lanes
	if n > 0 {
		v := a
		v.nch = n
		dk.fn(v)
	}
	if n < a.nch {
		dwGeneric(a.out[n:], a.in, a.f[n:], a.base+n, a.taps, a.nch-n, a.npix, a.inStep, a.outStep)
	}
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}

func floorDiv(a, b int) int {
	if a >= 0 {
		return a / b
	}
	return -((-a + b - 1) / b)
}

// repeatChannels returns x (channels last) with every channel value
// repeated mult times in a row.
func repeatChannels[T any](x []T, mult int) []T {
	out := make([]T, len(x)*mult)
	kernel.ParallelFor(len(x), mult, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := x[i]
			for m := range mult {
				out[i*mult+m] = v
			}
		}
	})
	return out
}
