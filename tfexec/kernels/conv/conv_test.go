package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// convCases covers the geometry space: sizes that are and are not
// multiples of the register tiles, every padding, strides, dilations,
// 1×1 fast paths, windows larger than the input, groups.
func convCases() []convCase {
	base := []convCase{
		{n: 1, h: 5, w: 5, c: 3, kh: 3, kw: 3, cin: 3, cout: 4, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},
		{n: 2, h: 7, w: 6, c: 5, kh: 3, kw: 2, cin: 5, cout: 33, sh: 2, sw: 1, dh: 1, dw: 1, padding: "VALID"},
		{n: 1, h: 9, w: 9, c: 16, kh: 3, kw: 3, cin: 16, cout: 40, sh: 1, sw: 1, dh: 2, dw: 3, padding: "SAME"},
		{n: 3, h: 8, w: 8, c: 8, kh: 1, kw: 1, cin: 8, cout: 13, sh: 1, sw: 1, dh: 1, dw: 1, padding: "VALID"},
		{n: 1, h: 8, w: 10, c: 8, kh: 1, kw: 1, cin: 8, cout: 7, sh: 2, sw: 3, dh: 1, dw: 1, padding: "SAME"},
		{n: 2, h: 6, w: 7, c: 4, kh: 3, kw: 3, cin: 4, cout: 5, sh: 2, sw: 2, dh: 1, dw: 1, padding: "EXPLICIT", pads: [4]int{1, 2, 0, 3}},
		{n: 1, h: 3, w: 3, c: 2, kh: 5, kw: 5, cin: 2, cout: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},
		{n: 1, h: 12, w: 12, c: 6, kh: 12, kw: 12, cin: 6, cout: 4, sh: 12, sw: 12, dh: 1, dw: 1, padding: "SAME"},
		{n: 2, h: 10, w: 11, c: 12, kh: 3, kw: 3, cin: 4, cout: 9, sh: 1, sw: 2, dh: 1, dw: 1, padding: "SAME"},    // 3 groups
		{n: 1, h: 20, w: 20, c: 37, kh: 3, kw: 3, cin: 37, cout: 70, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},  // several tiles
		{n: 1, h: 1, w: 1, c: 300, kh: 1, kw: 1, cin: 300, cout: 65, sh: 1, sw: 1, dh: 1, dw: 1, padding: "VALID"}, // k > kc
		{n: 1, h: 4, w: 4, c: 2, kh: 2, kw: 2, cin: 2, cout: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: "EXPLICIT", pads: [4]int{3, 0, 2, 2}},
	}
	var out []convCase
	for _, cc := range base {
		out = append(out, cc)
		nc := cc
		nc.nchw = true
		out = append(out, nc)
	}
	return out
}

func (cc convCase) String() string {
	df := "NHWC"
	if cc.nchw {
		df = "NCHW"
	}
	return fmt.Sprintf("%s_%dx%dx%dx%d_k%dx%dx%dx%d_s%d%d_d%d%d_%s%v", df, cc.n, cc.h, cc.w, cc.c, cc.kh, cc.kw, cc.cin, cc.cout, cc.sh, cc.sw, cc.dh, cc.dw, cc.padding, cc.pads)
}

// inputShape returns the op's input shape and the data in its layout.
func (cc convCase) layoutIn(v []float64) ([]int, []float64) {
	if cc.nchw {
		return []int{cc.n, cc.c, cc.h, cc.w}, toNCHW(v, cc.n, cc.h, cc.w, cc.c)
	}
	return []int{cc.n, cc.h, cc.w, cc.c}, v
}

func (cc convCase) layoutOut(v []float64, ch int) ([]int, []float64) {
	oh, ow, _, _ := cc.out()
	if v == nil {
		v = make([]float64, cc.n*oh*ow*ch)
	}
	if cc.nchw {
		return []int{cc.n, ch, oh, ow}, toNCHW(v, cc.n, oh, ow, ch)
	}
	return []int{cc.n, oh, ow, ch}, v
}

func TestConv2DMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16, tensor.Int32} {
		for _, cc := range convCases() {
			t.Run(fmt.Sprintf("%v/%v", dt, cc), func(t *testing.T) {
				xv := randFloats(r, cc.n*cc.h*cc.w*cc.c)
				fv := randFloats(r, cc.kh*cc.kw*cc.cin*cc.cout)
				xShape, xl := cc.layoutIn(xv)
				x, xh := makeTensor(t, dt, xShape, xl)
				f, fh := makeTensor(t, dt, []int{cc.kh, cc.kw, cc.cin, cc.cout}, fv)
				if cc.nchw { // reference works in NHWC
					xh = toNHWCRef(xh, cc.n, cc.c, cc.h, cc.w)
				}
				shape, want := cc.layoutOut(naiveConv(cc, xh, fh), cc.cout)
				got := run1(t, node("Conv2D", cc.attrs()), x, f)
				requireMatch(t, got, wantTensor(t, dt, shape, want), tolFor(dt))
			})
		}
	}
}

func toNHWCRef(v []float64, n, c, h, w int) []float64 {
	out := make([]float64, len(v))
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					out[((b*h+y)*w+x)*c+ch] = v[((b*c+ch)*h+y)*w+x]
				}
			}
		}
	}
	return out
}

// TestConv2DAllKernels runs the implicit-GEMM convolution with every GEMM
// kernel this machine has, not only the fastest.
func TestConv2DAllKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, kn := range f32Kernels() {
		for _, cc := range convCases() {
			if cc.nchw {
				continue
			}
			t.Run(kn.name+"/"+cc.String(), func(t *testing.T) {
				a := convAttrs{tfshape.Conv2D{StrideH: cc.sh, StrideW: cc.sw, DilationH: cc.dh, DilationW: cc.dw}}
				a.Padding = map[string]tfshape.Padding{"SAME": tfshape.PaddingSame, "VALID": tfshape.PaddingValid, "EXPLICIT": tfshape.PaddingExplicit}[cc.padding]
				a.PadTop, a.PadBottom, a.PadLeft, a.PadRight = cc.pads[0], cc.pads[1], cc.pads[2], cc.pads[3]
				g, err := conv2DGeometry(a, tensor.Shape{cc.n, cc.h, cc.w, cc.c}, tensor.Shape{cc.kh, cc.kw, cc.cin, cc.cout})
				require.NoError(t, err)
				x := randSlice[float32](r, cc.n*cc.h*cc.w*cc.c)
				f := randSlice[float32](r, cc.kh*cc.kw*cc.cin*cc.cout)
				out := make([]float32, cc.n*g.oh*g.ow*cc.cout)
				convGemm(kn, g, x, f, out, nil)
				want := naiveConv(cc, widen(x), widen(f))
				requireClose(t, want, widen(out), 1e-4)
			})
		}
	}
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestDepthwiseMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := []convCase{
		{n: 1, h: 6, w: 6, c: 3, kh: 3, kw: 3, cout: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},
		{n: 2, h: 9, w: 8, c: 32, kh: 3, kw: 3, cout: 1, sh: 2, sw: 2, dh: 1, dw: 1, padding: "SAME"},
		{n: 1, h: 7, w: 7, c: 21, kh: 2, kw: 3, cout: 2, sh: 1, sw: 1, dh: 1, dw: 1, padding: "VALID"},
		{n: 1, h: 10, w: 9, c: 70, kh: 3, kw: 3, cout: 1, sh: 1, sw: 1, dh: 2, dw: 2, padding: "SAME"},
		{n: 2, h: 5, w: 5, c: 8, kh: 5, kw: 5, cout: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: "EXPLICIT", pads: [4]int{2, 1, 0, 4}},
		{n: 1, h: 4, w: 4, c: 17, kh: 3, kw: 3, cout: 1, sh: 3, sw: 3, dh: 1, dw: 1, padding: "EXPLICIT", pads: [4]int{5, 5, 5, 5}},
		{n: 1, h: 14, w: 14, c: 144, kh: 3, kw: 3, cout: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},
		{n: 1, h: 3, w: 3, c: 5, kh: 1, kw: 1, cout: 4, sh: 1, sw: 1, dh: 1, dw: 1, padding: "VALID"},
	}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16} {
		for _, base := range cases {
			for _, nchw := range []bool{false, true} {
				cc := base
				cc.nchw = nchw
				t.Run(fmt.Sprintf("%v/%v", dt, cc), func(t *testing.T) {
					xv := randFloats(r, cc.n*cc.h*cc.w*cc.c)
					fv := randFloats(r, cc.kh*cc.kw*cc.c*cc.cout)
					xShape, xl := cc.layoutIn(xv)
					x, xh := makeTensor(t, dt, xShape, xl)
					f, fh := makeTensor(t, dt, []int{cc.kh, cc.kw, cc.c, cc.cout}, fv)
					if cc.nchw {
						xh = toNHWCRef(xh, cc.n, cc.c, cc.h, cc.w)
					}
					shape, want := cc.layoutOut(naiveDepthwise(cc, xh, fh), cc.c*cc.cout)
					got := run1(t, node("DepthwiseConv2dNative", cc.attrs()), x, f)
					requireMatch(t, got, wantTensor(t, dt, shape, want), tolFor(dt))
				})
			}
		}
	}
}

// TestDepthwiseAllKernels checks every channel kernel on channel counts
// around the vector widths.
func TestDepthwiseAllKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	geoms := []convCase{
		{n: 1, h: 6, w: 7, kh: 3, kw: 3, cout: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"},
		{n: 2, h: 9, w: 19, kh: 3, kw: 3, cout: 1, sh: 2, sw: 2, dh: 1, dw: 1, padding: "SAME"},
		{n: 1, h: 8, w: 17, kh: 3, kw: 2, cout: 1, sh: 1, sw: 3, dh: 2, dw: 2, padding: "VALID"},
		{n: 1, h: 5, w: 12, kh: 5, kw: 5, cout: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: "EXPLICIT", pads: [4]int{4, 0, 1, 6}},
	}
	for _, dk := range dwKernels() {
		for gi, cc := range geoms {
			for _, c := range []int{1, 7, 8, 9, 16, 17, 31, 32, 48, 64, 65, 96, 128, 200} {
				cc.c = c
				t.Run(fmt.Sprintf("%s/%d/c%d", dk.name, gi, c), func(t *testing.T) {
					a := convAttrs{tfshape.Conv2D{StrideH: cc.sh, StrideW: cc.sw, DilationH: cc.dh, DilationW: cc.dw}}
					a.Padding = map[string]tfshape.Padding{"SAME": tfshape.PaddingSame, "VALID": tfshape.PaddingValid, "EXPLICIT": tfshape.PaddingExplicit}[cc.padding]
					a.PadTop, a.PadBottom, a.PadLeft, a.PadRight = cc.pads[0], cc.pads[1], cc.pads[2], cc.pads[3]
					g, err := a.geometry(cc.n, cc.h, cc.w, c, cc.kh, cc.kw)
					require.NoError(t, err)
					g.cin, g.coutAll, g.groups = 1, c, c
					x := randSlice[float32](r, cc.n*cc.h*cc.w*c)
					f := randSlice[float32](r, cc.kh*cc.kw*c)
					out := make([]float32, cc.n*g.oh*g.ow*c)
					depthwiseNHWC(dk, g, 1, x, f, out, nil)
					requireClose(t, naiveDepthwise(cc, widen(x), widen(f)), widen(out), 1e-5)
				})
			}
		}
	}
}

func TestBackpropInputMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16, tensor.Int32} {
		for _, cc := range convCases() {
			if cc.cin != cc.c {
				continue // no grouped backprop on TensorFlow's CPU
			}
			t.Run(fmt.Sprintf("%v/%v", dt, cc), func(t *testing.T) {
				oh, ow, _, _ := cc.out()
				fv := randFloats(r, cc.kh*cc.kw*cc.c*cc.cout)
				dyv := randFloats(r, cc.n*oh*ow*cc.cout)
				f, fh := makeTensor(t, dt, []int{cc.kh, cc.kw, cc.c, cc.cout}, fv)
				dyShape, dyl := cc.layoutOut(dyv, cc.cout)
				dy, dyh := makeTensor(t, dt, dyShape, dyl)
				if cc.nchw {
					dyh = toNHWCRef(dyh, cc.n, cc.cout, oh, ow)
				}
				xShape, want := cc.layoutIn(naiveBackprop(cc, fh, dyh))
				sizes := tensor.MustFromSlice([]int{4}, []int32{int32(xShape[0]), int32(xShape[1]), int32(xShape[2]), int32(xShape[3])})
				got := run1(t, node("Conv2DBackpropInput", cc.attrs()), sizes, f, dy)
				requireMatch(t, got, wantTensor(t, dt, xShape, want), tolFor(dt))
			})
		}
	}
}

func TestBackpropInputTwoSizes(t *testing.T) {
	cc := convCase{n: 2, h: 5, w: 4, c: 3, kh: 2, kw: 2, cin: 3, cout: 2, sh: 2, sw: 2, dh: 1, dw: 1, padding: "SAME"}
	r := rand.New(rand.NewPCG(17, 18))
	oh, ow, _, _ := cc.out()
	fv, dyv := randFloats(r, 2*2*3*2), randFloats(r, cc.n*oh*ow*2)
	f, fh := makeTensor(t, tensor.Float64, []int{2, 2, 3, 2}, fv)
	dy, dyh := makeTensor(t, tensor.Float64, []int{cc.n, oh, ow, 2}, dyv)
	sizes := tensor.MustFromSlice([]int{2}, []int64{5, 4})
	got := run1(t, node("Conv2DBackpropInput", cc.attrs()), sizes, f, dy)
	requireMatch(t, got, wantTensor(t, tensor.Float64, []int{2, 5, 4, 3}, naiveBackprop(cc, fh, dyh)), tolFor(tensor.Float64))
}

// TestBackpropInputChunked forces several column-buffer chunks.
func TestBackpropInputChunked(t *testing.T) {
	cc := convCase{n: 2, h: 120, w: 64, c: 32, kh: 3, kw: 3, cin: 32, cout: 8, sh: 1, sw: 1, dh: 1, dw: 1, padding: "SAME"}
	r := rand.New(rand.NewPCG(19, 20))
	oh, ow, _, _ := cc.out()
	f, fh := makeTensor(t, tensor.Float32, []int{3, 3, 32, 8}, randFloats(r, 3*3*32*8))
	dy, dyh := makeTensor(t, tensor.Float32, []int{2, oh, ow, 8}, randFloats(r, 2*oh*ow*8))
	require.Greater(t, 2*oh*ow*3*3*32, colBudget)
	sizes := tensor.MustFromSlice([]int{4}, []int32{2, 120, 64, 32})
	got := run1(t, node("Conv2DBackpropInput", cc.attrs()), sizes, f, dy)
	requireMatch(t, got, wantTensor(t, tensor.Float32, []int{2, 120, 64, 32}, naiveBackprop(cc, fh, dyh)), tolFor(tensor.Float32))
}

func TestConvEdgeCases(t *testing.T) {
	f32 := func(shape []int, v ...float32) *tensor.Tensor {
		if v == nil {
			v = make([]float32, tensor.Shape(shape).NumElements())
		}
		return tensor.MustFromSlice(shape, v)
	}
	valid := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "VALID"}
	same := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	t.Run("empty batch", func(t *testing.T) {
		got := run1(t, node("Conv2D", same), f32([]int{0, 3, 3, 2}), f32([]int{2, 2, 2, 4}))
		assert.Equal(t, tensor.Shape{0, 3, 3, 4}, got.Shape())
	})
	t.Run("filter larger than input VALID", func(t *testing.T) {
		got := run1(t, node("Conv2D", valid), f32([]int{1, 2, 2, 1}), f32([]int{3, 3, 1, 1}))
		assert.Equal(t, tensor.Shape{1, 0, 0, 1}, got.Shape())
	})
	t.Run("explicit padding of an empty image", func(t *testing.T) {
		attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "EXPLICIT", "explicit_paddings": []int{0, 0, 1, 1, 1, 1, 0, 0}}
		got := run1(t, node("Conv2D", attrs), f32([]int{1, 0, 0, 2}), f32([]int{1, 1, 2, 3}))
		requireMatch(t, got, f32([]int{1, 2, 2, 3}), tensor.Tolerance{})
	})
	t.Run("no input channels", func(t *testing.T) {
		got := run1(t, node("Conv2D", same), f32([]int{1, 2, 2, 0}), f32([]int{1, 1, 2, 3}))
		requireMatch(t, got, f32([]int{1, 2, 2, 3}), tensor.Tolerance{})
		_, err := kerneltest.Call(node("_FusedConv2D", fusedAttrs(same, []string{"BiasAdd"}, 1)), f32([]int{1, 2, 2, 0}), f32([]int{1, 1, 2, 3}), f32([]int{3}))
		require.Error(t, err)
	})
	t.Run("hand computed", func(t *testing.T) {
		// [[1 2] [3 4]] * ones(2x2) with SAME: the window at (0,0) sees all.
		got := run1(t, node("Conv2D", same), f32([]int{1, 2, 2, 1}, 1, 2, 3, 4), f32([]int{2, 2, 1, 1}, 1, 1, 1, 1))
		requireMatch(t, got, f32([]int{1, 2, 2, 1}, 10, 6, 7, 4), tensor.Tolerance{})
	})
	t.Run("depthwise hand computed", func(t *testing.T) {
		// Two channels, multiplier 2: channel 0 scaled by 1 and 2, channel 1 by 3 and 4.
		got := run1(t, node("DepthwiseConv2dNative", valid), f32([]int{1, 1, 1, 2}, 5, 7), f32([]int{1, 1, 2, 2}, 1, 2, 3, 4))
		requireMatch(t, got, f32([]int{1, 1, 1, 4}, 5, 10, 21, 28), tensor.Tolerance{})
	})
	t.Run("transpose conv hand computed", func(t *testing.T) {
		// Stride 2 scatters each dy pixel to a 2x2 block.
		attrs := map[string]any{"strides": []int{1, 2, 2, 1}, "padding": "VALID"}
		sizes := tensor.MustFromSlice([]int{4}, []int32{1, 4, 4, 1})
		got := run1(t, node("Conv2DBackpropInput", attrs), sizes, f32([]int{2, 2, 1, 1}, 1, 2, 3, 4), f32([]int{1, 2, 2, 1}, 1, 10, 100, 1000))
		want := f32([]int{1, 4, 4, 1},
			1, 2, 10, 20,
			3, 4, 30, 40,
			100, 200, 1000, 2000,
			300, 400, 3000, 4000)
		requireMatch(t, got, want, tensor.Tolerance{})
	})
}

func TestConvErrors(t *testing.T) {
	f32 := func(shape ...int) *tensor.Tensor { return tensor.MustNew(tensor.Float32, shape) }
	ok := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	prepare := []struct {
		name  string
		op    string
		attrs map[string]any
	}{
		{"strides length", "Conv2D", with("strides", []int{1, 1, 1})},
		{"batch stride", "Conv2D", with("strides", []int{2, 1, 1, 1})},
		{"zero stride", "Conv2D", with("strides", []int{1, 0, 1, 1})},
		{"bad padding", "Conv2D", with("padding", "FULL")},
		{"bad data format", "Conv2D", with("data_format", "NCDHW")},
		{"depth dilation", "Conv2D", with("dilations", []int{1, 1, 1, 2})},
		{"explicit paddings without EXPLICIT", "Conv2D", with("explicit_paddings", []int{0, 0, 1, 1, 1, 1, 0, 0})},
		{"explicit paddings length", "Conv2D", with("padding", "EXPLICIT")},
		{"unequal depthwise strides", "DepthwiseConv2dNative", with("strides", []int{1, 1, 2, 1})},
		{"no fused ops", "_FusedConv2D", with("num_args", 1)},
		{"bad T", "Conv2D", with("T", tensor.Int64)},
	}
	for _, c := range prepare {
		t.Run(c.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", c.op, nil, c.attrs), f32(1, 3, 3, 1), f32(1, 1, 1, 1))
			require.Error(t, err)
		})
	}
	t.Run("explicit negative", func(t *testing.T) {
		a := with("padding", "EXPLICIT")
		a["explicit_paddings"] = []int{0, 0, -1, 1, 1, 1, 0, 0}
		_, err := kerneltest.Call(node("Conv2D", a), f32(1, 3, 3, 1), f32(1, 1, 1, 1))
		require.ErrorContains(t, err, "nonnegative")
	})
	t.Run("explicit batch padding", func(t *testing.T) {
		a := with("padding", "EXPLICIT")
		a["explicit_paddings"] = []int{1, 0, 1, 1, 1, 1, 0, 0}
		_, err := kerneltest.Call(node("Conv2D", a), f32(1, 3, 3, 1), f32(1, 1, 1, 1))
		require.ErrorContains(t, err, "batch or depth")
	})
	run := []struct {
		name string
		op   string
		in   []*tensor.Tensor
		msg  string
	}{
		{"input rank", "Conv2D", []*tensor.Tensor{f32(3, 3, 1), f32(1, 1, 1, 1)}, "input must be 4-dimensional"},
		{"filter rank", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 1), f32(1, 1, 1)}, "filter must be 4-dimensional"},
		{"depth", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 5), f32(1, 1, 2, 1)}, "evenly divisible"},
		{"groups", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 4), f32(1, 1, 2, 3)}, "number of groups"},
		{"empty filter", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 1), f32(0, 1, 1, 1)}, "zero elements"},
		{"dtype mismatch", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 1), tensor.MustNew(tensor.Float64, []int{1, 1, 1, 1})}, "dtype"},
		{"depthwise depth", "DepthwiseConv2dNative", []*tensor.Tensor{f32(1, 3, 3, 2), f32(1, 1, 3, 1)}, "same depth"},
		{"inputs", "Conv2D", []*tensor.Tensor{f32(1, 3, 3, 1)}, "inputs"},
		{"int64", "Conv2D", []*tensor.Tensor{tensor.MustNew(tensor.Int64, []int{1, 1, 1, 1}), tensor.MustNew(tensor.Int64, []int{1, 1, 1, 1})}, "not supported"},
	}
	for _, c := range run {
		t.Run(c.name, func(t *testing.T) {
			_, err := kerneltest.Call(node(c.op, ok), c.in...)
			require.ErrorContains(t, err, c.msg)
		})
	}
	valid := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "VALID"}
	t.Run("negative output", func(t *testing.T) {
		_, err := kerneltest.Call(node("Conv2D", valid), f32(1, 3, 3, 1), f32(5, 1, 1, 1))
		require.ErrorContains(t, err, "would be negative")
	})
	bp := []struct {
		name  string
		sizes *tensor.Tensor
		f, dy *tensor.Tensor
		msg   string
	}{
		{"sizes rank", tensor.MustNew(tensor.Int32, []int{2, 2}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), "1-dim"},
		{"sizes length", tensor.MustNew(tensor.Int32, []int{3}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), "4 values or 2 values"},
		{"mismatch", tensor.MustFromSlice([]int{4}, []int32{1, 3, 3, 1}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), "doesn't match computed"},
		{"batch", tensor.MustFromSlice([]int{4}, []int32{2, 2, 2, 1}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), "same batch size"},
		{"out depth", tensor.MustFromSlice([]int{4}, []int32{1, 2, 2, 1}), f32(1, 1, 1, 2), f32(1, 2, 2, 1), "same out_depth"},
		{"grouped", tensor.MustFromSlice([]int{4}, []int32{1, 2, 2, 2}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), "doesn't match filter input depth"},
		{"negative", tensor.MustFromSlice([]int{4}, []int32{1, -2, 2, 1}), f32(1, 1, 1, 1), f32(1, 2, 2, 1), ">= 0"},
	}
	for _, c := range bp {
		t.Run("backprop "+c.name, func(t *testing.T) {
			_, err := kerneltest.Call(node("Conv2DBackpropInput", valid), c.sizes, c.f, c.dy)
			require.ErrorContains(t, err, c.msg)
		})
	}
}
