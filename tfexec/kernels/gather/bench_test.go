package gather

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// benchKernel prepares op once and times its runs on inputs.
func benchKernel(b *testing.B, op string, attrs map[string]any, in ...*tensor.Tensor) {
	b.Helper()
	def := graph.NewNode("n", op, nil, attrs)
	for i := range in {
		def.Input = append(def.Input, "in"+string(rune('0'+i)))
	}
	f, ok := kernel.Lookup(op)
	if !ok {
		b.Fatalf("no kernel for %s", op)
	}
	node := kernel.NewNode(def)
	k, err := f(node)
	if err != nil {
		b.Fatal(err)
	}
	ctx := &kernel.Context{Context: context.Background(), Node: node}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := k(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func randF32(r *rand.Rand, shape tensor.Shape) *tensor.Tensor {
	v := make([]float32, shape.NumElements())
	for i := range v {
		v[i] = r.Float32()
	}
	return tensor.MustFromSlice(shape, v)
}

func randIndices(r *rand.Rand, shape tensor.Shape, limit int) *tensor.Tensor {
	v := make([]int32, shape.NumElements())
	for i := range v {
		v[i] = int32(r.IntN(limit))
	}
	return tensor.MustFromSlice(shape, v)
}

// BenchmarkGatherV2Embedding is an embedding lookup: 4096 rows of 256
// floats from a 30000-row table.
func BenchmarkGatherV2Embedding(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "GatherV2", nil, randF32(r, s(30000, 256)), randIndices(r, s(4096), 30000), tensor.Scalar(int32(0)))
}

// BenchmarkGatherV2Elements gathers 1M single elements (inner size 1).
func BenchmarkGatherV2Elements(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "GatherV2", nil, randF32(r, s(1<<20)), randIndices(r, s(1<<20), 1<<20), tensor.Scalar(int32(0)))
}

func BenchmarkGatherNd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "GatherNd", nil, randF32(r, s(256, 256, 16)), randIndices(r, s(65536, 2), 256))
}

func BenchmarkScatterNd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "ScatterNd", nil, randIndices(r, s(65536, 1), 4096), randF32(r, s(65536, 16)), i32(s(2), 4096, 16))
}

func BenchmarkWhere(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]bool, 1<<20)
	for i := range v {
		v[i] = r.IntN(4) == 0
	}
	benchKernel(b, "Where", nil, bools(s(1024, 1024), v...))
}

func BenchmarkOneHot(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "OneHot", nil, randIndices(r, s(4096), 1000), tensor.Scalar(int32(1000)),
		tensor.Scalar(float32(1)), tensor.Scalar(float32(0)))
}

func BenchmarkUnique(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	benchKernel(b, "Unique", nil, randIndices(r, s(1<<16), 1000))
}
