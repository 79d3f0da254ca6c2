package rnn_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// prepared returns op's kernel for attrs with n inputs, ready to call.
func prepared(b *testing.B, op string, n int, attrs map[string]any) (kernel.Kernel, *kernel.Context) {
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = "in"
	}
	node := kernel.NewNode(graph.NewNode("n", op, inputs, attrs))
	f, ok := kernel.Lookup(op)
	if !ok {
		b.Fatalf("no kernel for %s", op)
	}
	k, err := f(node)
	if err != nil {
		b.Fatal(err)
	}
	return k, &kernel.Context{Context: context.Background(), Node: node}
}

func run(b *testing.B, k kernel.Kernel, ctx *kernel.Context, in []*tensor.Tensor) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBlockLSTM is a 50-step sequence of 32 rows, 128 inputs and
// 256 units.
func BenchmarkBlockLSTM(b *testing.B) {
	c := lstmCase{time: 50, batch: 32, in: 128, cell: 256, seqLen: 50, forgetBias: 1, clip: -1}
	x, cs, h, w, wci, wcf, wco, bias := c.inputs(rand.New(rand.NewPCG(1, 1)))
	k, ctx := prepared(b, "BlockLSTM", 9, c.attrs(false))
	run(b, k, ctx, []*tensor.Tensor{tensor.Scalar(int64(50)), x, cs, h, w, wci, wcf, wco, bias})
}

// BenchmarkLSTMBlockCell is one step of the same cell.
func BenchmarkLSTMBlockCell(b *testing.B) {
	c := lstmCase{time: 1, batch: 32, in: 128, cell: 256, seqLen: 1, forgetBias: 1, clip: -1}
	x, cs, h, w, wci, wcf, wco, bias := c.inputs(rand.New(rand.NewPCG(1, 1)))
	x2, _ := x.Reshape(tensor.Shape{32, 128})
	k, ctx := prepared(b, "LSTMBlockCell", 8, c.attrs(false))
	run(b, k, ctx, []*tensor.Tensor{x2, cs, h, w, wci, wcf, wco, bias})
}

// BenchmarkGRUBlockCell is one step of 32 rows, 128 inputs, 256 units.
func BenchmarkGRUBlockCell(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	in := []*tensor.Tensor{randT(r, 1, 32, 128), randT(r, 1, 32, 256), randT(r, 0.1, 384, 512),
		randT(r, 0.1, 384, 256), randT(r, 0.1, 512), randT(r, 0.1, 256)}
	k, ctx := prepared(b, "GRUBlockCell", 6, nil)
	run(b, k, ctx, in)
}
