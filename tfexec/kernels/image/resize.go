package image

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// resizer is one resize method run on a validated state.
type resizer func(img *tensor.Tensor, st *resizeState) (*tensor.Tensor, error)

func newResize(run resizer) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		align, err := n.Attrs.Bool("align_corners", false)
		if err != nil {
			return nil, err
		}
		half, err := n.Attrs.Bool("half_pixel_centers", false)
		if err != nil {
			return nil, err
		}
		if half && align {
			return nil, fmt.Errorf("attributes %q and %q: If half_pixel_centers is True, align_corners must be False", "half_pixel_centers", "align_corners")
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 2); err != nil {
				return nil, err
			}
			st, err := newResizeState(in[0], in[1], align, half)
			if err != nil {
				return nil, err
			}
			out, err := run(in[0], st)
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// resizeState is TensorFlow's ImageResizerState: the validated geometry
// of a resize of [batch, inH, inW, channels] images to [outH, outW].
type resizeState struct {
	batch, inH, inW, outH, outW, channels int
	hScale, wScale                        float32
	halfPixel                             bool
	alignCorners                          bool
}

func newResizeState(img, size *tensor.Tensor, align, half bool) (*resizeState, error) {
	s := img.Shape()
	if len(s) != 4 {
		return nil, kernel.Invalid("input must be 4-dimensional%v", s)
	}
	st := &resizeState{batch: s[0], inH: s[1], inW: s[2], channels: s[3], halfPixel: half, alignCorners: align}
	if st.channels <= 0 {
		return nil, kernel.Invalid("image must have at least one channel")
	}
	if st.inH <= 0 || st.inW <= 0 {
		return nil, kernel.Invalid("input image must be of non-zero size")
	}
	if st.inH > math.MaxInt32 || st.inW > math.MaxInt32 {
		return nil, kernel.Invalid("input sizes must be between 0 and max int32")
	}
	if size.Rank() != 1 {
		return nil, kernel.Invalid("shape_t must be 1-dimensional%v", size.Shape())
	}
	if size.NumElements() != 2 {
		return nil, kernel.Invalid("shape_t must have two elements%v", size.Shape())
	}
	hw, err := kernel.Ints(size)
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	st.outH, st.outW = hw[0], hw[1]
	if st.outH <= 0 || st.outW <= 0 {
		return nil, kernel.Invalid("output dimensions must be positive")
	}
	// Checked here, before the per-axis tables as well as the output.
	if err := tensor.CheckAlloc(img.DType(), st.outShape()); err != nil {
		return nil, err
	}
	st.hScale = resizeScale(st.inH, st.outH, align)
	st.wScale = resizeScale(st.inW, st.outW, align)
	return st, nil
}

// resizeScale is TensorFlow's CalculateResizeScale, in float32.
func resizeScale(in, out int, align bool) float32 {
	if align && in > 1 && out > 1 {
		return float32(in-1) / float32(out-1)
	}
	return float32(in) / float32(out)
}

// scaleLegacy maps output coordinate x to input space the old way (pixel
// corners at integers).
func scaleLegacy(x int, scale float32) float32 { return float32(x) * scale }

// scaleHalfPixel maps output coordinate x to input space with pixel
// centres at +0.5, returned in the legacy system (−0.5), as TensorFlow's
// HalfPixelScaler. The explicit conversion keeps the product rounded, so
// no platform fuses it into an FMA that TensorFlow does not use.
func scaleHalfPixel(x int, scale float32) float32 {
	return float32((float32(x)+0.5)*scale) - 0.5
}

func (st *resizeState) outShape() tensor.Shape {
	return tensor.Shape{st.batch, st.outH, st.outW, st.channels}
}

// ---- bilinear ----

// lerpIndex caches one output coordinate's source pixels and weight.
type lerpIndex struct {
	lower, upper int
	lerp         float32
}

func bilinearWeights(outSize, inSize int, scale float32, halfPixel bool) []lerpIndex {
	w := make([]lerpIndex, outSize)
	for i := range w {
		var in float32
		if halfPixel {
			in = scaleHalfPixel(i, scale)
		} else {
			in = scaleLegacy(i, scale)
		}
		f := floor32(in)
		w[i] = lerpIndex{lower: max(int(f), 0), upper: min(int(ceil32(in)), inSize-1), lerp: in - f}
	}
	return w
}

func resizeBilinear(img *tensor.Tensor, st *resizeState) (*tensor.Tensor, error) {
	out := tensor.MustNew(tensor.Float32, st.outShape())
	dst := tensor.Values[float32](out)
	if len(dst) == 0 {
		return out, nil
	}
	switch v := img.Data().(type) {
	case []float32:
		bilinear(v, dst, st)
	case []float64:
		bilinear(v, dst, st)
	case []int8:
		bilinear(v, dst, st)
	case []int16:
		bilinear(v, dst, st)
	case []int32:
		bilinear(v, dst, st)
	case []int64:
		bilinear(v, dst, st)
	case []uint8:
		bilinear(v, dst, st)
	case []uint16:
		bilinear(v, dst, st)
	case []uint32:
		bilinear(v, dst, st)
	case []uint64:
		bilinear(v, dst, st)
	case []tensor.F16, []tensor.BF16:
		f, err := kernel.Float32s(img)
		if err != nil {
			return nil, err
		}
		bilinear(f, dst, st)
	default:
		return nil, kernel.Unsupported("dtype %v", img.DType())
	}
	return out, nil
}

func bilinear[T tensor.Number](src []T, dst []float32, st *resizeState) {
	if st.outH == st.inH && st.outW == st.inW {
		// TensorFlow short-cuts same-size resizes to a cast, which also
		// keeps infinities that the interpolation would turn into NaN.
		for i, x := range src {
			dst[i] = float32(x)
		}
		return
	}
	ys := bilinearWeights(st.outH, st.inH, st.hScale, st.halfPixel)
	xs := bilinearWeights(st.outW, st.inW, st.wScale, st.halfPixel)
	c := st.channels
	inRow, outRow := st.inW*c, st.outW*c
	kernel.ParallelFor(st.batch*st.outH, outRow*8, func(lo, hi int) {
		for by := lo; by < hi; by++ {
			b, y := by/st.outH, by%st.outH
			img := src[b*st.inH*inRow:]
			top := img[ys[y].lower*inRow : (ys[y].lower+1)*inRow]
			bot := img[ys[y].upper*inRow : (ys[y].upper+1)*inRow]
			yl := ys[y].lerp
			o := dst[by*outRow : (by+1)*outRow]
			for x, xw := range xs {
				l, r := xw.lower*c, xw.upper*c
				tls, trs := top[l:l+c], top[r:r+c]
				bls, brs := bot[l:l+c], bot[r:r+c]
				px := o[x*c : x*c+c]
				for ch := range px {
					tl, tr := float32(tls[ch]), float32(trs[ch])
					bl, br := float32(bls[ch]), float32(brs[ch])
					t := tl + float32((tr-tl)*xw.lerp)
					bo := bl + float32((br-bl)*xw.lerp)
					px[ch] = t + float32((bo-t)*yl)
				}
			}
		}
	})
}

// ---- nearest neighbour ----

func nearestIndices(outSize, inSize int, scale float32, st *resizeState) []int {
	idx := make([]int, outSize)
	for i := range idx {
		var in float32
		if st.halfPixel {
			// TensorFlow's HalfPixelScalerForNN leaves out the −0.5 that
			// the floor below would undo.
			in = float32((float32(i) + 0.5) * scale)
		} else {
			in = scaleLegacy(i, scale)
		}
		var k int
		if st.alignCorners {
			k = int(roundHalfAway(in))
		} else {
			k = int(floor32(in))
		}
		k = min(k, inSize-1)
		if st.halfPixel {
			k = max(k, 0)
		}
		idx[i] = k
	}
	return idx
}

func resizeNearest(img *tensor.Tensor, st *resizeState) (*tensor.Tensor, error) {
	if st.inH >= 1<<24 || st.inW >= 1<<24 {
		return nil, kernel.Invalid("nearest neighbor requires max height & width of 2^24")
	}
	out, err := tensor.New(img.DType(), st.outShape())
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return out, nil
	}
	ys := nearestIndices(st.outH, st.inH, st.hScale, st)
	xs := nearestIndices(st.outW, st.inW, st.wScale, st)
	switch s := kernel.Words(img).(type) {
	case []uint8:
		nearest(kernel.Words(out).([]uint8), s, ys, xs, st)
	case []uint16:
		nearest(kernel.Words(out).([]uint16), s, ys, xs, st)
	case []uint32:
		nearest(kernel.Words(out).([]uint32), s, ys, xs, st)
	case []uint64:
		nearest(kernel.Words(out).([]uint64), s, ys, xs, st)
	case [][2]uint64:
		nearest(kernel.Words(out).([][2]uint64), s, ys, xs, st)
	default:
		return nil, kernel.Unsupported("dtype %v", img.DType())
	}
	return out, nil
}

func nearest[T any](dst, src []T, ys, xs []int, st *resizeState) {
	c := st.channels
	inRow, outRow := st.inW*c, st.outW*c
	kernel.ParallelFor(st.batch*st.outH, outRow, func(lo, hi int) {
		for by := lo; by < hi; by++ {
			b, y := by/st.outH, by%st.outH
			row := src[(b*st.inH+ys[y])*inRow:]
			o := dst[by*outRow : (by+1)*outRow]
			if c == 1 {
				for x, sx := range xs {
					o[x] = row[sx]
				}
				continue
			}
			for x, sx := range xs {
				copy(o[x*c:(x+1)*c], row[sx*c:(sx+1)*c])
			}
		}
	})
}

// ---- area ----

// areaSpan is one output coordinate's run of source pixels [start, end)
// with the fractional weights of its first and last pixel.
type areaSpan struct {
	start, end             int
	startScale, endM1Scale float32
}

// areaWeight is the share of source pixel v inside [in0, in1).
func areaWeight(v int, in0, in1, scale float32) float32 {
	fv := float32(v)
	fv1 := float32(v + 1)
	if fv < in0 {
		if fv1 > in1 {
			return scale
		}
		return fv1 - in0
	}
	if fv1 > in1 {
		return in1 - fv
	}
	return 1
}

func areaSpans(outSize int, scale float32) []areaSpan {
	sp := make([]areaSpan, outSize)
	for x := range sp {
		in0 := float32(x) * scale
		in1 := float32(x+1) * scale
		s := &sp[x]
		s.start = int(floor32(in0))
		s.startScale = areaWeight(s.start, in0, in1, scale)
		s.end = int(ceil32(in1))
		s.endM1Scale = areaWeight(s.end-1, in0, in1, scale)
	}
	return sp
}

func clampIndex(v, limit int) int { return min(limit-1, max(0, v)) }

func resizeArea(img *tensor.Tensor, st *resizeState) (*tensor.Tensor, error) {
	out := tensor.MustNew(tensor.Float32, st.outShape())
	dst := tensor.Values[float32](out)
	if len(dst) == 0 {
		return out, nil
	}
	switch v := img.Data().(type) {
	case []float32:
		area(v, dst, st)
	case []float64:
		area(v, dst, st)
	case []int8:
		area(v, dst, st)
	case []int16:
		area(v, dst, st)
	case []int32:
		area(v, dst, st)
	case []int64:
		area(v, dst, st)
	case []uint8:
		area(v, dst, st)
	case []uint16:
		area(v, dst, st)
	case []uint32:
		area(v, dst, st)
	case []uint64:
		area(v, dst, st)
	case []tensor.F16, []tensor.BF16:
		f, err := kernel.Float32s(img)
		if err != nil {
			return nil, err
		}
		area(f, dst, st)
	default:
		return nil, kernel.Unsupported("dtype %v", img.DType())
	}
	return out, nil
}

// area is TensorFlow's ResizeArea: each output pixel is the average of
// the source area it covers, with fractional weights at the edges, summed
// in TensorFlow's order (x within a row, then rows).
func area[T tensor.Number](src []T, dst []float32, st *resizeState) {
	xs := areaSpans(st.outW, st.wScale)
	// The product is float32; the division happens in double, as in
	// TensorFlow's "1.0 / (height_scale * width_scale)".
	scale := float32(1.0 / float64(st.hScale*st.wScale))
	c := st.channels
	inRow, outRow := st.inW*c, st.outW*c
	kernel.ParallelFor(st.batch*st.outH, outRow*8, func(lo, hi int) {
		var yRows [][]T
		var yScales []float32
		for by := lo; by < hi; by++ {
			b, y := by/st.outH, by%st.outH
			in0 := float32(y) * st.hScale
			in1 := float32(y+1) * st.hScale
			yStart, yEnd := int(floor32(in0)), int(ceil32(in1))
			yRows, yScales = yRows[:0], yScales[:0]
			for i := yStart; i < yEnd; i++ {
				yScales = append(yScales, areaWeight(i, in0, in1, st.hScale))
				r := (b*st.inH + clampIndex(i, st.inH)) * inRow
				yRows = append(yRows, src[r:r+inRow])
			}
			o := dst[by*outRow : (by+1)*outRow]
			for x, sp := range xs {
				first := clampIndex(sp.start, st.inW) * c
				last := clampIndex(sp.end-1, st.inW) * c
				for ch := 0; ch < c; ch++ {
					var sum float32
					for i, row := range yRows {
						sumY := float32(float32(row[first+ch]) * sp.startScale)
						if sp.start+1 != sp.end {
							for xi := sp.start + 1; xi < sp.end-1; xi++ {
								sumY += float32(row[clampIndex(xi, st.inW)*c+ch])
							}
							sumY += float32(float32(row[last+ch]) * sp.endM1Scale)
						}
						sum += float32(sumY * yScales[i])
					}
					o[x*c+ch] = sum * scale
				}
			}
		}
	})
}

// ---- bicubic ----

const cubicTableSize = 1 << 10

// fltMin is C's FLT_MIN, the smallest normal float32.
const fltMin = 0x1p-126

// cubicTables holds TensorFlow's bicubic coefficient tables for
// a = −0.75 (legacy) and a = −0.5 (Keys, used with half-pixel centres).
// They are computed once and only read afterwards.
var cubicTables = [2][]float32{cubicCoeffs(-0.75), cubicCoeffs(-0.5)}

func cubicCoeffs(a float64) []float32 {
	t := make([]float32, (cubicTableSize+1)*2)
	for i := 0; i <= cubicTableSize; i++ {
		x := float32(float64(i) * 1.0 / cubicTableSize)
		xd := float64(x)
		t[i*2] = float32(((a+2)*xd-(a+3))*xd*xd + 1)
		x = float32(float64(x) + 1.0)
		xd = float64(x)
		t[i*2+1] = float32(((a*xd-5*a)*xd+8*a)*xd - 4*a)
	}
	return t
}

// cubicTap is one output coordinate's four source indices and weights.
type cubicTap struct {
	w   [4]float32
	idx [4]int
}

func cubicTaps(outSize, inSize int, scale float32, halfPixel bool) []cubicTap {
	taps := make([]cubicTap, outSize)
	keys := 0
	if halfPixel {
		keys = 1
	}
	table := cubicTables[keys]
	for i := range taps {
		var in float32
		if halfPixel {
			in = scaleHalfPixel(i, scale)
		} else {
			in = scaleLegacy(i, scale)
		}
		loc := int(floor32(in))
		delta := in - float32(loc)
		off := int(math.RoundToEven(float64(delta * cubicTableSize)))
		t := &taps[i]
		w := [4]float32{table[off*2+1], table[off*2], table[(cubicTableSize-off)*2], table[(cubicTableSize-off)*2+1]}
		for k := range 4 {
			t.idx[k] = clampIndex(loc-1+k, inSize)
			t.w[k] = w[k]
		}
		if halfPixel {
			// Samples outside the image get weight 0 and the rest are
			// renormalised, as TensorFlow's Keys-cubic path does.
			for k := range 4 {
				if t.idx[k] != loc-1+k {
					t.w[k] = 0
				}
			}
			sum := t.w[0] + t.w[1] + t.w[2] + t.w[3]
			if float32(math.Abs(float64(sum))) >= 1000*fltMin {
				inv := 1 / sum
				for k := range 4 {
					t.w[k] *= inv
				}
			}
		}
	}
	return taps
}

func resizeBicubic(img *tensor.Tensor, st *resizeState) (*tensor.Tensor, error) {
	out := tensor.MustNew(tensor.Float32, st.outShape())
	dst := tensor.Values[float32](out)
	if len(dst) == 0 {
		return out, nil
	}
	switch v := img.Data().(type) {
	case []float32:
		bicubic(v, dst, st)
	case []float64:
		bicubic(v, dst, st)
	case []int8:
		bicubic(v, dst, st)
	case []int16:
		bicubic(v, dst, st)
	case []int32:
		bicubic(v, dst, st)
	case []int64:
		bicubic(v, dst, st)
	case []uint8:
		bicubic(v, dst, st)
	case []uint16:
		bicubic(v, dst, st)
	case []uint32:
		bicubic(v, dst, st)
	case []uint64:
		bicubic(v, dst, st)
	case []tensor.F16, []tensor.BF16:
		f, err := kernel.Float32s(img)
		if err != nil {
			return nil, err
		}
		bicubic(f, dst, st)
	default:
		return nil, kernel.Unsupported("dtype %v", img.DType())
	}
	return out, nil
}

// bicubic interpolates each output pixel from a 4×4 patch: first along y
// for the four source columns, then along x, summing left to right as
// TensorFlow does.
func bicubic[T tensor.Number](src []T, dst []float32, st *resizeState) {
	xs := cubicTaps(st.outW, st.inW, st.wScale, st.halfPixel)
	ys := cubicTaps(st.outH, st.inH, st.hScale, st.halfPixel)
	c := st.channels
	inRow, outRow := st.inW*c, st.outW*c
	kernel.ParallelFor(st.batch*st.outH, outRow*32, func(lo, hi int) {
		for by := lo; by < hi; by++ {
			b, y := by/st.outH, by%st.outH
			yt := &ys[y]
			base := b * st.inH * inRow
			var rows [4][]T
			for k := range 4 {
				rows[k] = src[base+yt.idx[k]*inRow : base+(yt.idx[k]+1)*inRow]
			}
			o := dst[by*outRow : (by+1)*outRow]
			for x := range xs {
				xt := &xs[x]
				for ch := 0; ch < c; ch++ {
					var col [4]float32
					for k := range 4 {
						p := xt.idx[k]*c + ch
						col[k] = float32(float32(rows[0][p])*yt.w[0]) + float32(float32(rows[1][p])*yt.w[1]) +
							float32(float32(rows[2][p])*yt.w[2]) + float32(float32(rows[3][p])*yt.w[3])
					}
					o[x*c+ch] = float32(col[0]*xt.w[0]) + float32(col[1]*xt.w[1]) + float32(col[2]*xt.w[2]) + float32(col[3]*xt.w[3])
				}
			}
		}
	})
}
