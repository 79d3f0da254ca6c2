package parsing

import (
	"fmt"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// BenchmarkParseExample parses a batch of 64 Examples with a dense float
// vector, a dense string, a sparse int64 list and ten features nobody
// asks for, as a TF Serving classify request might hold.
func BenchmarkParseExample(b *testing.B) {
	batch := make([]string, 64)
	for i := range batch {
		f := features{
			"dense":  floatsF(float32(i), 1, 2, 3, 4, 5, 6, 7),
			"label":  bytesF(fmt.Sprint("class-", i%3)),
			"sparse": intsF(int64(i), int64(i*i), 42),
		}
		for j := range 10 {
			f[fmt.Sprint("other", j)] = floatsF(float32(j))
		}
		batch[i] = example(b, f)
	}
	def := graph.NewNode("parse", "ParseExample", nil, map[string]any{
		"Nsparse": 1, "Ndense": 2, "sparse_types": []tensor.DType{tensor.Int64},
		"Tdense": []tensor.DType{tensor.Float32, tensor.String}, "dense_shapes": []graph.ShapeAttr{{8}, {}},
	})
	kerneltest.Bench(b, def, strs(batch...), strs(), tensor.Scalar("sparse"), tensor.Scalar("dense"), tensor.Scalar("label"),
		noDefault(tensor.Float32), tensor.Scalar("none"))
}
