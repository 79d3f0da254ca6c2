package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// poolKind tells the pooling ops apart.
type poolKind uint8

const (
	poolAvg   poolKind = iota // AvgPool
	poolMax                   // MaxPool: ksize and strides attributes
	poolMaxV2                 // MaxPoolV2: ksize and strides inputs
)

// maxPoolTypes is the intersection of MaxPool's op definition and the
// real number types its CPU kernel registers.
var maxPoolTypes = []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32, tensor.Float64,
	tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.Uint16}

// poolSpec is a pooling node's validated attributes.
type poolSpec struct {
	kind    poolKind
	format  dataFormat
	ksize   []int // in data_format order; nil for MaxPoolV2
	strides []int
	padding tfshape.Padding
	// Explicit padding of the rows and columns, for EXPLICIT.
	padTop, padBottom, padLeft, padRight int
}

// Positions of N, H, W and C in a 4-D shape or window of each layout.
func (f dataFormat) nhwc() (n, h, w, c int) {
	if f == channelsFirst {
		return 0, 2, 3, 1
	}
	return 0, 1, 2, 3
}

func newPool(kind poolKind) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		spec := poolSpec{kind: kind}
		types := maxPoolTypes
		paddings := []string{"SAME", "VALID"}
		switch kind {
		case poolAvg:
			types = floatTypes
		case poolMax:
			paddings = append(paddings, "EXPLICIT")
		}
		if err := checkTypeAttr(n, "T", types); err != nil {
			return nil, err
		}
		var err error
		if spec.format, err = parseFormat(n, "NHWC", "NHWC", "NCHW"); err != nil {
			return nil, err
		}
		ps, err := n.Attrs.String("padding", "")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(paddings, ps) {
			return nil, fmt.Errorf("attribute \"padding\" = %q: %w (want one of %v)", ps, kernel.ErrUnsupported, paddings)
		}
		if spec.padding, err = tfshape.ParsePadding(ps); err != nil {
			return nil, err
		}
		if kind != poolMaxV2 {
			if spec.ksize, err = attrInts(n, "ksize"); err != nil {
				return nil, err
			}
			if spec.strides, err = attrInts(n, "strides"); err != nil {
				return nil, err
			}
			if err := checkWindow(spec.ksize, spec.strides); err != nil {
				return nil, fmt.Errorf("attributes \"ksize\"/\"strides\": %w", err)
			}
		}
		if kind == poolMax {
			explicit, err := n.Attrs.Ints("explicit_paddings", nil)
			if err != nil {
				return nil, err
			}
			if spec.padTop, spec.padBottom, spec.padLeft, spec.padRight, err = tfshape.ExplicitPaddings(explicit, spec.padding, spec.format == channelsFirst); err != nil {
				return nil, fmt.Errorf("attribute \"explicit_paddings\": %w", err)
			}
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			return spec.run(in)
		}, nil
	}
}

// checkWindow validates ksize and strides: four positive values each,
// with no pooling across the batch.
func checkWindow(ksize, strides []int) error {
	if len(ksize) != 4 {
		return fmt.Errorf("sliding window ksize must specify 4 dimensions, got %v", ksize)
	}
	if len(strides) != 4 {
		return fmt.Errorf("sliding window strides must specify 4 dimensions, got %v", strides)
	}
	for i := range 4 {
		if ksize[i] > math.MaxInt32 || strides[i] > math.MaxInt32 {
			return fmt.Errorf("sliding window ksize %v or strides %v out of int32 range", ksize, strides)
		}
		if ksize[i] <= 0 {
			return fmt.Errorf("sliding window ksize for dimension %d must be positive, got %v", i, ksize)
		}
		if strides[i] <= 0 {
			return fmt.Errorf("sliding window stride for dimension %d must be positive, got %v", i, strides)
		}
	}
	if ksize[0] != 1 || strides[0] != 1 {
		return fmt.Errorf("pooling on the batch dimension: %w", kernel.ErrUnsupported)
	}
	return nil
}

// poolGeom is the geometry of one pooling call.
type poolGeom struct {
	format          dataFormat
	n, h, w, c      int
	kh, kw, sh, sw  int
	oh, ow          int
	padTop, padLeft int
	depthWindow     int // > 1 for max pooling across the depth
}

// outShape returns the output shape in the input's layout.
func (g *poolGeom) outShape() tensor.Shape {
	oc, oh, ow := g.c, g.oh, g.ow
	if g.depthWindow > 1 {
		oc, oh, ow = g.c/g.depthWindow, g.h, g.w
	}
	if g.format == channelsFirst {
		return tensor.Shape{g.n, oc, oh, ow}
	}
	return tensor.Shape{g.n, oh, ow, oc}
}

func (s *poolSpec) geometry(shape tensor.Shape, ksize, strides []int) (*poolGeom, error) {
	if len(shape) != 4 {
		return nil, fmt.Errorf("input must be 4-dimensional, got shape %v", shape)
	}
	ni, hi, wi, ci := s.format.nhwc()
	g := &poolGeom{
		format: s.format,
		n:      shape[ni], h: shape[hi], w: shape[wi], c: shape[ci],
		kh: ksize[hi], kw: ksize[wi], sh: strides[hi], sw: strides[wi],
		depthWindow: ksize[ci],
	}
	if g.depthWindow != 1 {
		if g.kh != 1 || g.kw != 1 {
			return nil, fmt.Errorf("pooling across both depth and width/height: %w", kernel.ErrUnsupported)
		}
		if s.kind == poolAvg {
			return nil, fmt.Errorf("average pooling across the depth: %w", kernel.ErrUnsupported)
		}
		if g.c%g.depthWindow != 0 {
			return nil, fmt.Errorf("depthwise max pooling requires the depth window (%d) to evenly divide the input depth (%d): %w", g.depthWindow, g.c, kernel.ErrUnsupported)
		}
		if strides[ci] != g.depthWindow {
			return nil, fmt.Errorf("depthwise max pooling requires the depth window (%d) to equal the depth stride (%d): %w", g.depthWindow, strides[ci], kernel.ErrUnsupported)
		}
		if s.padding == tfshape.PaddingExplicit {
			return nil, fmt.Errorf("depthwise max pooling with explicit padding: %w", kernel.ErrUnsupported)
		}
		return g, nil
	}
	var err error
	if g.oh, g.padTop, _, err = tfshape.Windowed(g.h, g.kh, 1, g.sh, s.padding, s.padTop, s.padBottom); err != nil {
		return nil, err
	}
	if g.ow, g.padLeft, _, err = tfshape.Windowed(g.w, g.kw, 1, g.sw, s.padding, s.padLeft, s.padRight); err != nil {
		return nil, err
	}
	return g, nil
}

func (s *poolSpec) run(in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	want := 1
	if s.kind == poolMaxV2 {
		want = 3
	}
	if err := kernel.CheckInputs(in, want); err != nil {
		return nil, err
	}
	ksize, strides := s.ksize, s.strides
	if s.kind == poolMaxV2 {
		var err error
		if ksize, err = kernel.Ints(in[1]); err != nil {
			return nil, fmt.Errorf("ksize: %w", err)
		}
		if strides, err = kernel.Ints(in[2]); err != nil {
			return nil, fmt.Errorf("strides: %w", err)
		}
		if err := checkWindow(ksize, strides); err != nil {
			return nil, err
		}
	}
	x := in[0]
	types := maxPoolTypes
	if s.kind == poolAvg {
		types = floatTypes
	}
	if err := checkDType(x, types); err != nil {
		return nil, err
	}
	g, err := s.geometry(x.Shape(), ksize, strides)
	if err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	if s.kind == poolAvg {
		out, err = avgPool(g, x)
	} else {
		out, err = maxPool(g, x)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func avgPool(g *poolGeom, x *tensor.Tensor) (*tensor.Tensor, error) {
	shape := g.outShape()
	st, err := stage(x)
	if err != nil {
		return nil, err
	}
	if st.wide {
		out := make([]float64, shape.NumElements())
		avgPool2D(g, st.f64, out)
		return tensor.FromSlice(shape, out)
	}
	out := make([]float32, shape.NumElements())
	avgPool2D(g, st.f32, out)
	return kernel.FromFloat32s(x.DType(), shape, out)
}

func maxPool(g *poolGeom, x *tensor.Tensor) (*tensor.Tensor, error) {
	shape := g.outShape()
	switch v := x.Data().(type) {
	case []float32:
		return maxPoolTyped(g, shape, v, -math.MaxFloat32)
	case []float64:
		return maxPoolTyped(g, shape, v, -math.MaxFloat64)
	case []int8:
		return maxPoolTyped(g, shape, v, math.MinInt8)
	case []int16:
		return maxPoolTyped(g, shape, v, math.MinInt16)
	case []int32:
		return maxPoolTyped(g, shape, v, math.MinInt32)
	case []int64:
		return maxPoolTyped(g, shape, v, math.MinInt64)
	case []uint8:
		return maxPoolTyped(g, shape, v, 0)
	case []uint16:
		return maxPoolTyped(g, shape, v, 0)
	case []tensor.F16, []tensor.BF16:
		// Both convert to float32 exactly, so the maximum is exact.
		lowest := tensor.F16(0xfbff).Float32()
		if x.DType() == tensor.BFloat16 {
			lowest = tensor.BF16(0xff7f).Float32()
		}
		f, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		out := make([]float32, shape.NumElements())
		maxPoolInto(g, f, out, lowest)
		return kernel.FromFloat32s(x.DType(), shape, out)
	}
	return nil, kernel.Unsupported("MaxPool of dtype %v", x.DType())
}

// ordered is the element types MaxPool compares natively.
type ordered interface {
	float32 | float64 | int8 | int16 | int32 | int64 | uint8 | uint16
}

func maxPoolTyped[T ordered](g *poolGeom, shape tensor.Shape, x []T, lowest T) (*tensor.Tensor, error) {
	out := make([]T, shape.NumElements())
	maxPoolInto(g, x, out, lowest)
	return tensor.FromSlice(shape, out)
}

// maxPoolInto computes max pooling. Every window starts from the dtype's
// lowest finite value, which is also what a window lying wholly in
// explicit padding yields, and NaN inputs are skipped, as in TensorFlow's
// CPU kernel.
func maxPoolInto[T ordered](g *poolGeom, x, out []T, lowest T) {
	if len(out) == 0 {
		return
	}
	if g.depthWindow > 1 {
		depthMaxPool(g, x, out, lowest)
		return
	}
	if g.format == channelsFirst {
		cols := g.colRanges()
		h, w, oh, ow := g.h, g.w, g.oh, g.ow
		kernel.ParallelFor(g.n*g.c*oh, ow*g.kh*g.kw, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				plane, oy := r/oh, r%oh
				src := x[plane*h*w : (plane+1)*h*w]
				dst := out[r*ow : (r+1)*ow]
				for i := range dst {
					dst[i] = lowest
				}
				y0, y1 := g.rowRange(oy)
				for y := y0; y < y1; y++ {
					row := src[y*w : (y+1)*w]
					for ox, cr := range cols[:len(dst)] {
						m := dst[ox]
						for _, v := range row[cr[0]:cr[1]] {
							if v == v { // skip NaN
								m = max(m, v)
							}
						}
						dst[ox] = m
					}
				}
			}
		})
		return
	}
	cols := g.colRanges()
	h, w, c, oh, ow := g.h, g.w, g.c, g.oh, g.ow
	kernel.ParallelFor(g.n*oh, ow*c*g.kh*g.kw, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			b, oy := r/oh, r%oh
			y0, y1 := g.rowRange(oy)
			for ox, cr := range cols {
				dst := out[(r*ow+ox)*c : (r*ow+ox+1)*c]
				for i := range dst {
					dst[i] = lowest
				}
				for y := y0; y < y1; y++ {
					for xx := cr[0]; xx < cr[1]; xx++ {
						at := ((b*h+y)*w + xx) * c
						maxInto(dst, x[at:at+c])
					}
				}
			}
		}
	})
}

// depthMaxPool takes the maximum over non-overlapping groups of
// depthWindow channels.
func depthMaxPool[T ordered](g *poolGeom, x, out []T, lowest T) {
	dw := g.depthWindow
	oc := g.c / dw
	hw := g.h * g.w
	kernel.ParallelFor(len(out), dw, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			m := lowest
			if g.format == channelsFirst {
				b, k, sp := o/(oc*hw), o/hw%oc, o%hw
				for j := range dw {
					if v := x[(b*g.c+k*dw+j)*hw+sp]; v > m {
						m = v
					}
				}
			} else {
				for _, v := range x[o*dw : (o+1)*dw] {
					if v > m {
						m = v
					}
				}
			}
			out[o] = m
		}
	})
}

// rowRange returns the input rows [y0, y1) of output row oy's window,
// clipped to the input.
func (g *poolGeom) rowRange(oy int) (int, int) {
	y0 := oy*g.sh - g.padTop
	return max(y0, 0), min(y0+g.kh, g.h)
}

// colRanges returns, for every output column, the input columns [x0, x1)
// of its window, clipped to the input.
func (g *poolGeom) colRanges() [][2]int {
	r := make([][2]int, g.ow)
	for ox := range r {
		x0 := ox*g.sw - g.padLeft
		r[ox] = [2]int{max(x0, 0), min(x0+g.kw, g.w)}
	}
	return r
}

// avgPool2D averages each window over its elements inside the input only
// (padding is not counted), summing in window order as TensorFlow does.
func avgPool2D[F float](g *poolGeom, x, out []F) {
	if len(out) == 0 {
		return
	}
	cols := g.colRanges()
	if g.format == channelsFirst {
		h, w, oh, ow := g.h, g.w, g.oh, g.ow
		kernel.ParallelFor(g.n*g.c*oh, ow*g.kh*g.kw, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				plane, oy := r/oh, r%oh
				src := x[plane*h*w : (plane+1)*h*w]
				dst := out[r*ow : (r+1)*ow]
				y0, y1 := g.rowRange(oy)
				for y := y0; y < y1; y++ {
					row := src[y*w : (y+1)*w]
					for ox, cr := range cols[:len(dst)] {
						sum := dst[ox]
						for _, v := range row[cr[0]:cr[1]] {
							sum += v
						}
						dst[ox] = sum
					}
				}
				for ox, cr := range cols[:len(dst)] {
					dst[ox] /= F((y1 - y0) * (cr[1] - cr[0]))
				}
			}
		})
		return
	}
	h, w, c, oh, ow := g.h, g.w, g.c, g.oh, g.ow
	kernel.ParallelFor(g.n*oh, ow*c*g.kh*g.kw, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			b, oy := r/oh, r%oh
			y0, y1 := g.rowRange(oy)
			for ox, cr := range cols {
				dst := out[(r*ow+ox)*c : (r*ow+ox+1)*c]
				for y := y0; y < y1; y++ {
					for xx := cr[0]; xx < cr[1]; xx++ {
						at := ((b*h+y)*w + xx) * c
						addInto(dst, x[at:at+c])
					}
				}
				count := F((y1 - y0) * (cr[1] - cr[0]))
				for i := range dst {
					dst[i] /= count
				}
			}
		}
	})
}

// maxInto raises dst to the elementwise maximum of dst and src, skipping
// NaN in src. The NaN test is a branch that is almost never taken, and
// the builtin max compiles without one, so random data does not stall
// the branch predictor.
func maxInto[T ordered](dst, src []T) {
	dst = dst[:len(src)]
	for i, v := range src {
		if v == v {
			dst[i] = max(dst[i], v)
		}
	}
}

// addInto adds src to dst elementwise.
func addInto[F float](dst, src []F) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}
