package conv

import (
	"errors"
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// conv2DTypes are the dtypes TensorFlow registers Conv2D for on the CPU.
var conv2DTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16, tensor.Int32}

// fusedTypes are the dtypes of the fused convolutions.
var fusedTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16}

func newConv2D(fused bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		attrs, err := parseConvAttrs(n, convAttrOpts{})
		if err != nil {
			return nil, err
		}
		// Grappler may record the filter layout; only TensorFlow's CPU
		// layout, HWIO, is implemented.
		if ff, err := n.Attrs.String("filter_format", "HWIO"); err != nil {
			return nil, err
		} else if ff != "HWIO" {
			return nil, kernel.Unsupported("attribute filter_format %q", ff)
		}
		types := conv2DTypes
		var f *fusion
		if fused {
			types = fusedTypes
			if f, err = parseFusion(n, "Conv2D"); err != nil {
				return nil, err
			}
		}
		if _, err := dtypeOf(n, "T", types...); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			out, err := conv2D(attrs, f, types, in)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// conv2D runs a Conv2D or _FusedConv2D on its inputs.
func conv2D(attrs convAttrs, f *fusion, types []tensor.DType, in []*tensor.Tensor) (*tensor.Tensor, error) {
	want := 2
	if f != nil {
		want += f.numArgs
	}
	if err := kernel.CheckInputs(in, want); err != nil {
		return nil, err
	}
	x, filter := in[0], in[1]
	dt, err := operandDType(types, in...)
	if err != nil {
		return nil, err
	}
	g, err := conv2DGeometry(attrs, x.Shape(), filter.Shape())
	if err != nil {
		return nil, err
	}
	outShape := tensor.Shape(attrs.shape(g.n, g.oh, g.ow, g.coutAll))
	// Padding, dilation and output channels make the output independent
	// of the inputs' sizes.
	if err := tensor.CheckAlloc(dt, outShape); err != nil {
		return nil, err
	}
	if outShape.NumElements() == 0 {
		return tensor.New(dt, outShape)
	}
	if x.NumElements() == 0 && f == nil {
		// Only padding is left to convolve.
		return tensor.New(dt, outShape)
	}
	if filter.NumElements() == 0 {
		return nil, errors.New("filter must not have zero elements (i.e. all dimensions must be non-zero)")
	}
	if g.groups == 0 {
		return nil, fmt.Errorf("input depth must be positive, got %d", g.c)
	}
	layout := outLayout{shape: outShape, nchw: attrs.NCHW}
	var args []*tensor.Tensor
	if f != nil {
		args = in[2:]
	}
	switch dt {
	case tensor.Float64:
		return conv2DFloat[float64](attrs, g, f, x, filter, args, layout)
	case tensor.Int32:
		xs, fs := tensor.Values[int32](x), tensor.Values[int32](filter)
		if attrs.NCHW {
			xs = nchwToNHWC(xs, g.n, g.c, g.h, g.w)
		}
		out := make([]int32, outShape.NumElements())
		directConv(g, xs, fs, out)
		if attrs.NCHW {
			out = nhwcToNCHW(out, g.n, g.oh, g.ow, g.coutAll)
		}
		return tensor.FromSlice(outShape, out)
	default:
		return conv2DFloat[float32](attrs, g, f, x, filter, args, layout)
	}
}

// conv2DGeometry validates the input and filter shapes of a Conv2D and
// computes its output size, with TensorFlow's checks and messages.
func conv2DGeometry(attrs convAttrs, xs, fs tensor.Shape) (geometry, error) {
	if len(xs) != 4 {
		return geometry{}, fmt.Errorf("input must be 4-dimensional, got shape %v", xs)
	}
	if len(fs) != 4 {
		return geometry{}, fmt.Errorf("filter must be 4-dimensional, got shape %v", fs)
	}
	n, h, w, c := attrs.nhwcDims(xs)
	kh, kw, cin, cout := fs[0], fs[1], fs[2], fs[3]
	if cin <= 0 {
		return geometry{}, fmt.Errorf("filter depth must be strictly positive, got %d", cin)
	}
	if c%cin != 0 {
		return geometry{}, fmt.Errorf("input depth must be evenly divisible by filter depth: %d vs %d", c, cin)
	}
	g, err := attrs.geometry(n, h, w, c, kh, kw)
	if err != nil {
		return g, err
	}
	g.cin, g.coutAll = cin, cout
	g.groups = c / cin
	if g.groups > 0 && (cout%g.groups != 0 || cout < g.groups) && n*g.oh*g.ow*cout != 0 {
		return g, fmt.Errorf("output depth must be evenly divisible by number of groups: %d vs %d", cout, g.groups)
	}
	return g, nil
}

// conv2DFloat computes a float convolution in T (float32 for float32,
// half and bfloat16; float64 for float64) through the blocked GEMM.
func conv2DFloat[T float](attrs convAttrs, g geometry, f *fusion, x, filter *tensor.Tensor, args []*tensor.Tensor, l outLayout) (*tensor.Tensor, error) {
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
	convGemm(gemmKernelFor[T](), g, xs, fs, out, epi)
	if attrs.NCHW {
		out = nhwcToNCHW(out, g.n, g.oh, g.ow, g.coutAll)
	}
	return fromFloats(x.DType(), l.shape, out)
}

// convGemm computes an NHWC convolution (grouped when g.groups > 1) into
// out as one GEMM per group: the implicit im2col matrix of the input
// (rows are output pixels, columns filter taps × input channels) times
// the HWIO filter, whose row-major layout already is that matrix's
// right-hand side. A 1×1 convolution with unit stride and no padding
// multiplies the input itself.
func convGemm[T float](kn *gemmKernel[T], g geometry, x, filter, out []T, epi epilogueFunc) {
	coutG := g.coutAll / g.groups
	m, k := g.n*g.oh*g.ow, g.kh*g.kw*g.cin
	for gi := 0; gi < g.groups; gi++ {
		var a aPacker[T]
		if g.groups == 1 && g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padT == 0 && g.padL == 0 && g.oh == g.h && g.ow == g.w {
			a = rowMajor(x, 0, g.c, false)
		} else {
			a = newConvPacker(x, g, gi*g.cin)
		}
		cOff := gi * coutG
		var gepi epilogueFunc
		if epi != nil {
			gepi = func(i0, i1, j0, j1 int) { epi(i0, i1, j0+cOff, j1+cOff) }
		}
		op := gemmOp[T]{
			kern: kn, m: m, n: coutG, k: k,
			a: a,
			b: matView[T]{data: filter, off: cOff, rs: g.coutAll, cs: 1},
			c: out[cOff:], ldc: g.coutAll,
			epi: gepi,
		}
		op.run()
	}
}

// convPacker is the im2col matrix of an NHWC input, never materialised:
// row i is output pixel (b, oh, ow), column p is filter tap (kh, kw) and
// channel ci of the group starting at channel cOff, and the value is the
// input pixel under that tap, or zero in the padding.
type convPacker[T float] struct {
	x          []T
	g          geometry
	cOff       int
	tapH, tapW []int // offsets of each tap from the window's corner
	// contiguous is set when a window row is one run of memory (all
	// channels, no column dilation): the kw taps of a filter row are then
	// kw·c consecutive input values.
	contiguous bool
}

func newConvPacker[T float](x []T, g geometry, cOff int) *convPacker[T] {
	cp := &convPacker[T]{x: x, g: g, cOff: cOff, contiguous: g.cin == g.c && g.dw == 1}
	for khi := 0; khi < g.kh; khi++ {
		for kwi := 0; kwi < g.kw; kwi++ {
			cp.tapH = append(cp.tapH, khi*g.dh)
			cp.tapW = append(cp.tapW, kwi*g.dw)
		}
	}
	return cp
}

// packA copies, for every output pixel of the block, its runs of input
// channels under each filter tap in the column range, or zeros where the
// tap falls in the padding.
func (cp *convPacker[T]) packA(dst []T, i0, mc, p0, kc, mr int) {
	g := &cp.g
	cg := g.cin
	seg := g.kw * g.c
	for r := 0; r < mc; r++ {
		i := i0 + r
		ow := i % g.ow
		t := i / g.ow
		oh, b := t%g.oh, t/g.oh
		img := b*g.h*g.w*g.c + cp.cOff
		ih0, iw0 := oh*g.sh-g.padT, ow*g.sw-g.padL
		row := dst[r*kc : r*kc+kc]
		if cp.contiguous && ih0 >= 0 && ih0+(g.kh-1)*g.dh < g.h && iw0 >= 0 && iw0+g.kw <= g.w {
			// Interior window: one run per filter row.
			for q := 0; q < kc; {
				p := p0 + q
				khi, off := p/seg, p%seg
				run := min(seg-off, kc-q)
				start := img + ((ih0+khi*g.dh)*g.w+iw0)*g.c + off
				copyRun(row[q:q+run], cp.x[start:start+run])
				q += run
			}
			continue
		}
		ci, tap := p0%cg, p0/cg
		for q := 0; q < kc; {
			run := min(cg-ci, kc-q)
			ih, iw := ih0+cp.tapH[tap], iw0+cp.tapW[tap]
			if ih >= 0 && ih < g.h && iw >= 0 && iw < g.w {
				start := img + (ih*g.w+iw)*g.c + ci
				copyRun(row[q:q+run], cp.x[start:start+run])
			} else {
				clear(row[q : q+run])
			}
			q += run
			ci = 0
			tap++
		}
	}
	clear(dst[mc*kc : roundUp(mc, mr)*kc])
}

// copyRun is copy, without the call for short runs.
func copyRun[T float](dst, src []T) {
	if len(src) <= 8 {
		dst = dst[:len(src)]
		for j, v := range src {
			dst[j] = v
		}
		return
	}
	copy(dst, src)
}

// integer is an element type of the exact integer kernels.
type integer interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// directConv computes an NHWC (grouped) convolution with wrapping integer
// arithmetic, as TensorFlow's int32 Conv2D does.
func directConv[T integer](g geometry, x, filter, out []T) {
	coutG := g.coutAll / g.groups
	kernel.ParallelFor(g.n*g.oh, g.ow*g.kh*g.kw*g.cin*g.coutAll, func(lo, hi int) {
		for row := lo; row < hi; row++ {
			b, oh := row/g.oh, row%g.oh
			for ow := 0; ow < g.ow; ow++ {
				acc := out[((b*g.oh+oh)*g.ow+ow)*g.coutAll:][:g.coutAll]
				for khi := 0; khi < g.kh; khi++ {
					ih := oh*g.sh - g.padT + khi*g.dh
					if ih < 0 || ih >= g.h {
						continue
					}
					for kwi := 0; kwi < g.kw; kwi++ {
						iw := ow*g.sw - g.padL + kwi*g.dw
						if iw < 0 || iw >= g.w {
							continue
						}
						px := x[((b*g.h+ih)*g.w+iw)*g.c:]
						for ci := 0; ci < g.cin; ci++ {
							frow := filter[((khi*g.kw+kwi)*g.cin+ci)*g.coutAll:][:g.coutAll]
							for gi := 0; gi < g.groups; gi++ {
								v := px[gi*g.cin+ci]
								for co := gi * coutG; co < (gi+1)*coutG; co++ {
									acc[co] += v * frow[co]
								}
							}
						}
					}
				}
			}
		}
	})
}
