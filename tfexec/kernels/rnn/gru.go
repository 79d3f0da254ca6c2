package rnn

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// gruTypes are the dtypes TensorFlow registers GRUBlockCell for.
var gruTypes = []tensor.DType{tensor.Float32}

func newGRUBlockCell(n *kernel.Node) (kernel.Kernel, error) {
	want, err := typeAttr(n, gruTypes)
	if err != nil {
		return nil, err
	}
	mm, err := newGemm(n.Name())
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 6); err != nil {
			return nil, err
		}
		if _, err := sameDType(want, gruTypes, in...); err != nil {
			return nil, err
		}
		out, err := gruCell(ctx, mm, in)
		if err != nil {
			return nil, fmt.Errorf("GRUBlockCell %q: %w", n.Name(), err)
		}
		return out, nil
	}, nil
}

// gruCell computes TensorFlow's GRUBlockCellFprop:
//
//	[r̄, ū] = [x, h_prev]·w_ru + b_ru;  r = σ(r̄);  u = σ(ū)
//	c = tanh([x, h_prev ⊙ r]·w_c + b_c)
//	h = u ⊙ (h_prev − c) + c
//
// returning r, u, c and h, each [batch_size, cell_size].
func gruCell(ctx *kernel.Context, mm *gemm, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, hPrevT, wRu, wC, bRu, bC := in[0], in[1], in[2], in[3], in[4], in[5]
	if x.Rank() != 2 {
		return nil, kernel.Invalid("Rank of x must be 2, got %d", x.Rank())
	}
	batch, inputSize := x.Shape()[0], x.Shape()[1]
	if hPrevT.Rank() != 2 {
		return nil, kernel.Invalid("Rank of h_prev must be 2, got %d", hPrevT.Rank())
	}
	if err := checkDim(hPrevT, "h_prev", 0, batch, "batch_size"); err != nil {
		return nil, err
	}
	cell := hPrevT.Shape()[1]
	k := inputSize + cell
	if wRu.Rank() != 2 {
		return nil, kernel.Invalid("Rank of w_ru_ must be 2, got %d", wRu.Rank())
	}
	if wRu.Shape()[0] != k {
		return nil, kernel.Invalid("w_ru.dim_size(0) != input_size + cell_size: %d vs. %d", wRu.Shape()[0], k)
	}
	if wRu.Shape()[1] != 2*cell {
		return nil, kernel.Invalid("w_ru.dim_size(1) != cell_size * 2: %d vs. %d", wRu.Shape()[1], 2*cell)
	}
	if wC.Rank() != 2 {
		return nil, kernel.Invalid("Rank of w_c must be 2, got %d", wC.Rank())
	}
	if wC.Shape()[0] != k {
		return nil, kernel.Invalid("w_c.dim_size(0) != input_size + cell_size: %d vs. %d", wC.Shape()[0], k)
	}
	if wC.Shape()[1] != cell {
		return nil, kernel.Invalid("w_c.dim_size(1) != cell_size: %d vs. %d", wC.Shape()[1], cell)
	}
	if bRu.Rank() != 1 {
		return nil, kernel.Invalid("Rank of b_ru must be 1, got %d", bRu.Rank())
	}
	if bRu.Shape()[0] != 2*cell {
		return nil, kernel.Invalid("b_ru.dim_size(0) != cell_size * 2: %d vs. %d", bRu.Shape()[0], 2*cell)
	}
	if bC.Rank() != 1 {
		return nil, kernel.Invalid("Rank of b_c must be 1, got %d", bC.Rank())
	}
	if bC.Shape()[0] != cell {
		return nil, kernel.Invalid("b_c.dim_size(0) != cell_size: %d vs. %d", bC.Shape()[0], cell)
	}
	xv, hPrev := tensor.Values[float32](x), tensor.Values[float32](hPrevT)
	xh := make([]float32, batch*k)
	for b := range batch {
		copy(xh[b*k:], xv[b*inputSize:(b+1)*inputSize])
		copy(xh[b*k+inputSize:], hPrev[b*cell:(b+1)*cell])
	}
	ru, err := mm.mul(ctx, xh, batch, k, tensor.Values[float32](wRu), 2*cell, tensor.Values[float32](bRu))
	if err != nil {
		return nil, err
	}
	n := batch * cell
	r, u, c, h := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	// xh becomes [x, h_prev ⊙ r] in place: its x columns are unchanged.
	for b := range batch {
		row := ru[b*2*cell : (b+1)*2*cell]
		for j := range cell {
			rv := sigmoid32(row[j])
			r[b*cell+j] = rv
			u[b*cell+j] = sigmoid32(row[cell+j])
			xh[b*k+inputSize+j] = hPrev[b*cell+j] * rv
		}
	}
	cBar, err := mm.mul(ctx, xh, batch, k, tensor.Values[float32](wC), cell, tensor.Values[float32](bC))
	if err != nil {
		return nil, err
	}
	for i := range n {
		cv := tanh32(cBar[i])
		c[i] = cv
		h[i] = float32(u[i]*(hPrev[i]-cv)) + cv
	}
	out := make([]*tensor.Tensor, 4)
	for i, v := range [][]float32{r, u, c, h} {
		t, err := tensor.FromSlice(tensor.Shape{batch, cell}, v)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}
