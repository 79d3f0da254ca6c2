package rnn

import (
	"context"
	"fmt"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// gemm multiplies float32 matrices with the registry's MatMul and
// _FusedMatMul kernels (package conv's blocked GEMM), so the cells share the
// executor's fastest product instead of a loop of their own. The kernels are
// prepared once per node; calling them is safe from several goroutines.
type gemm struct {
	plain, biased         kernel.Kernel
	plainNode, biasedNode *kernel.Node
}

// newGemm prepares the products for the node named name.
func newGemm(name string) (*gemm, error) {
	g := &gemm{}
	var err error
	g.plain, g.plainNode, err = prepare(graph.NewNode(name+"/rnn_matmul", "MatMul", []string{"a", "b"},
		map[string]any{"T": tensor.Float32}))
	if err != nil {
		return nil, err
	}
	g.biased, g.biasedNode, err = prepare(graph.NewNode(name+"/rnn_fused_matmul", "_FusedMatMul", []string{"a", "b", "bias"},
		map[string]any{"T": tensor.Float32, "fused_ops": []string{"BiasAdd"}, "num_args": 1}))
	if err != nil {
		return nil, err
	}
	return g, nil
}

func prepare(def *tfpb.NodeDef) (kernel.Kernel, *kernel.Node, error) {
	f, ok := kernel.Lookup(def.GetOp())
	if !ok {
		return nil, nil, fmt.Errorf("rnn cells need the %s kernel, which is not registered (import tfexec/kernels)", def.GetOp())
	}
	n := kernel.NewNode(def)
	k, err := f(n)
	if err != nil {
		return nil, nil, fmt.Errorf("preparing %s: %w", def.GetOp(), err)
	}
	return k, n, nil
}

// mul returns the m×n product of a (m×k) and b (k×n), plus bias (length n)
// on every row when bias is not nil.
func (g *gemm) mul(ctx *kernel.Context, a []float32, m, k int, b []float32, n int, bias []float32) ([]float32, error) {
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{m, n}); err != nil {
		return nil, err
	}
	if k == 0 || m == 0 || n == 0 {
		// _FusedMatMul skips its bias on an empty contraction, as
		// TensorFlow's does; the cells' Eigen expressions still add it.
		out := make([]float32, m*n)
		if bias != nil {
			for r := range m {
				copy(out[r*n:(r+1)*n], bias[:n])
			}
		}
		return out, nil
	}
	at, err := tensor.FromSlice(tensor.Shape{m, k}, a[:m*k])
	if err != nil {
		return nil, err
	}
	bt, err := tensor.FromSlice(tensor.Shape{k, n}, b[:k*n])
	if err != nil {
		return nil, err
	}
	var base context.Context = context.Background()
	if ctx != nil && ctx.Context != nil {
		base = ctx.Context
	}
	var out []*tensor.Tensor
	if bias == nil {
		out, err = g.plain(&kernel.Context{Context: base, Node: g.plainNode}, []*tensor.Tensor{at, bt})
	} else {
		var biasT *tensor.Tensor
		if biasT, err = tensor.FromSlice(tensor.Shape{n}, bias[:n]); err != nil {
			return nil, err
		}
		out, err = g.biased(&kernel.Context{Context: base, Node: g.biasedNode}, []*tensor.Tensor{at, bt, biasT})
	}
	if err != nil {
		return nil, err
	}
	return tensor.Values[float32](out[0]), nil
}
