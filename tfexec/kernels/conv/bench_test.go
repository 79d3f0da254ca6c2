package conv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// benchKernel prepares op once and reports the throughput of running it
// on in, counting flops useful operations per run.
func benchKernel(b *testing.B, op string, attrs map[string]any, flops float64, in ...*tensor.Tensor) {
	def := node(op, attrs)
	for range in {
		def.Input = append(def.Input, "x")
	}
	f, _ := kernel.Lookup(op)
	n := kernel.NewNode(def)
	k, err := f(n)
	if err != nil {
		b.Fatal(err)
	}
	ctx := &kernel.Context{Context: context.Background(), Node: n}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func benchTensor(shape ...int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(uint64(len(shape)), 99))
	return tensor.MustFromSlice(shape, randSlice[float32](r, tensor.Shape(shape).NumElements()))
}

func BenchmarkMatMul1024(b *testing.B) {
	benchKernel(b, "MatMul", nil, 2*1024*1024*1024, benchTensor(1024, 1024), benchTensor(1024, 1024))
}

func BenchmarkMatMulVector(b *testing.B) {
	// A batch-1 dense layer: memory bound.
	benchKernel(b, "MatMul", nil, 2*1024*1024, benchTensor(1, 1024), benchTensor(1024, 1024))
}

func BenchmarkBatchMatMulSmall(b *testing.B) {
	// Attention-sized products: 64 heads of 64×64 by 64×128.
	benchKernel(b, "BatchMatMulV2", nil, 2*64*64*64*128, benchTensor(64, 64, 64), benchTensor(64, 64, 128))
}

func BenchmarkConv3x3(b *testing.B) {
	attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	benchKernel(b, "Conv2D", attrs, 2*56*56*64*64*9, benchTensor(1, 56, 56, 64), benchTensor(3, 3, 64, 64))
}

func BenchmarkConv3x3Stride2FirstLayer(b *testing.B) {
	// MobileNet's first layer: 3 input channels.
	attrs := map[string]any{"strides": []int{1, 2, 2, 1}, "padding": "SAME"}
	benchKernel(b, "Conv2D", attrs, 2*112*112*32*27, benchTensor(1, 224, 224, 3), benchTensor(3, 3, 3, 32))
}

func BenchmarkConv1x1Fused(b *testing.B) {
	attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME", "fused_ops": []string{"BiasAdd", "Relu6"}, "num_args": 1}
	benchKernel(b, "_FusedConv2D", attrs, 2*56*56*144*24, benchTensor(1, 56, 56, 144), benchTensor(1, 1, 144, 24), benchTensor(24))
}

func BenchmarkConv3x3NCHW(b *testing.B) {
	attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME", "data_format": "NCHW"}
	benchKernel(b, "Conv2D", attrs, 2*56*56*64*64*9, benchTensor(1, 64, 56, 56), benchTensor(3, 3, 64, 64))
}

func BenchmarkDepthwise3x3(b *testing.B) {
	attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	benchKernel(b, "DepthwiseConv2dNative", attrs, 2*112*112*32*9, benchTensor(1, 112, 112, 32), benchTensor(3, 3, 32, 1))
}

func BenchmarkDepthwise3x3Wide(b *testing.B) {
	attrs := map[string]any{"strides": []int{1, 1, 1, 1}, "padding": "SAME", "fused_ops": []string{"BiasAdd", "Relu6"}, "num_args": 1}
	benchKernel(b, "FusedDepthwiseConv2dNative", attrs, 2*56*56*144*9, benchTensor(1, 56, 56, 144), benchTensor(3, 3, 144, 1), benchTensor(144))
}

func BenchmarkBackpropInput(b *testing.B) {
	// A decoder's 4×4 stride-2 transposed convolution, 64 → 32 channels.
	attrs := map[string]any{"strides": []int{1, 2, 2, 1}, "padding": "SAME"}
	sizes := tensor.MustFromSlice([]int{4}, []int32{1, 64, 64, 32})
	benchKernel(b, "Conv2DBackpropInput", attrs, 2*32*32*64*16*32, sizes, benchTensor(4, 4, 32, 64), benchTensor(1, 32, 32, 64))
}

// BenchmarkConvPack measures the implicit im2col packing alone (one
// goroutine), the part of a convolution that is not GEMM.
func BenchmarkConvPack(b *testing.B) {
	a := convAttrs{tfshape.Conv2D{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tfshape.PaddingSame}}
	for _, c := range []int{3, 64} {
		g, err := a.geometry(1, 56, 56, c, 3, 3)
		if err != nil {
			b.Fatal(err)
		}
		g.cin, g.coutAll, g.groups = c, 64, 1
		r := rand.New(rand.NewPCG(1, 2))
		cp := newConvPacker(randSlice[float32](r, 56*56*c), g, 0)
		m, k := 56*56, 9*c
		buf := make([]float32, 96*min(256, k))
		b.Run(fmt.Sprintf("c%d", c), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for pc := 0; pc < k; pc += 256 {
					for ic := 0; ic < m; ic += 96 {
						cp.packA(buf, ic, min(96, m-ic), pc, min(256, k-pc), 12)
					}
				}
			}
			b.ReportMetric(float64(m*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

// BenchmarkTile measures the register tiles alone, on one goroutine with
// the operands in cache: the peak the GEMM can approach.
func BenchmarkTile(b *testing.B) {
	for _, kn := range f32Kernels() {
		b.Run(kn.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			kc := 256
			a := randSlice[float32](r, kn.mr*kc)
			bp := randSlice[float32](r, kc*kn.nr)
			c := make([]float32, kn.mr*kn.nr)
			for b.Loop() {
				kn.tile(kc, a, kc, bp, kn.nr, c, kn.nr, false, kn.mr, kn.nr)
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkDepthwiseKernel runs the depthwise loop alone into a reused
// output, without the allocation (and garbage collection) of a new output
// tensor per call that the op benchmarks include.
func BenchmarkDepthwiseKernel(b *testing.B) {
	for _, c := range []int{32, 144} {
		h := 112
		if c > 32 {
			h = 56
		}
		a := convAttrs{tfshape.Conv2D{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tfshape.PaddingSame}}
		g, err := a.geometry(1, h, h, c, 3, 3)
		if err != nil {
			b.Fatal(err)
		}
		g.cin, g.coutAll, g.groups = 1, c, c
		r := rand.New(rand.NewPCG(5, 6))
		x, f := randSlice[float32](r, h*h*c), randSlice[float32](r, 9*c)
		out := make([]float32, h*h*c)
		b.Run(fmt.Sprintf("%dx%dx%d", h, h, c), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				depthwiseNHWC(dwKern, g, 1, x, f, out, nil)
			}
			b.ReportMetric(2*float64(h*h*c*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
