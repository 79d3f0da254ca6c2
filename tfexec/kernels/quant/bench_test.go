package quant_test

import (
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// BenchmarkFakeQuantPerChannel quantizes a 1×56×56×64 activation.
func BenchmarkFakeQuantPerChannel(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	mins, maxs := make([]float32, 64), make([]float32, 64)
	for c := range mins {
		mins[c], maxs[c] = -r.Float32(), r.Float32()+0.1
	}
	kerneltest.Bench(b, graph.NewNode("n", "FakeQuantWithMinMaxVarsPerChannel", nil, nil),
		randT(r, 1, 1, 56, 56, 64), f32(tensor.Shape{64}, mins...), f32(tensor.Shape{64}, maxs...))
}

// BenchmarkFakeQuantVars quantizes the same activation with one range.
func BenchmarkFakeQuantVars(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	kerneltest.Bench(b, graph.NewNode("n", "FakeQuantWithMinMaxVars", nil, nil),
		randT(r, 1, 1, 56, 56, 64), tensor.Scalar(float32(-1)), tensor.Scalar(float32(1)))
}
