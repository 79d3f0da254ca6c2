package rnn

import (
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// lstmTypes are the dtypes TensorFlow registers the LSTM block kernels for
// on the CPU.
var lstmTypes = []tensor.DType{tensor.Float32, tensor.Float16}

// gateLayout is the order of the four gate blocks along the columns of w
// and b. The input gate comes first and the output gate last in both.
type gateLayout int

const (
	icfo gateLayout = iota // LSTMBlockCell, BlockLSTM: i, cell input, f, o
	ifco                   // BlockLSTMV2 (Keras' order): i, f, cell input, o
)

// lstmParams are an LSTM node's attributes.
type lstmParams struct {
	forgetBias float32
	cellClip   float32 // clip cs to [−cellClip, cellClip] when positive
	peephole   bool
	layout     gateLayout
	dtype      tensor.DType // the T attribute, or Invalid when absent
}

// offsets returns the column offsets of the cell-input and forget blocks.
func (p *lstmParams) offsets(cell int) (cOff, fOff int) {
	if p.layout == icfo {
		return cell, 2 * cell
	}
	return 2 * cell, cell
}

// parseLSTM reads the attributes shared by the LSTM ops. BlockLSTMV2 has
// no forget_bias (it is 0, the bias being part of b) and defaults
// cell_clip to 0, which disables clipping.
func parseLSTM(n *kernel.Node, layout gateLayout) (*lstmParams, error) {
	p := &lstmParams{layout: layout}
	var err error
	if layout == icfo {
		if p.forgetBias, err = n.Attrs.Float("forget_bias", 1); err != nil {
			return nil, err
		}
		if p.cellClip, err = n.Attrs.Float("cell_clip", 3); err != nil {
			return nil, err
		}
	} else if p.cellClip, err = n.Attrs.Float("cell_clip", 0); err != nil {
		return nil, err
	}
	if p.peephole, err = n.Attrs.Bool("use_peephole", false); err != nil {
		return nil, err
	}
	if p.dtype, err = typeAttr(n, lstmTypes); err != nil {
		return nil, err
	}
	return p, nil
}

// typeAttr returns the node's T attribute (Invalid when absent), checking
// that it is one of allowed.
func typeAttr(n *kernel.Node, allowed []tensor.DType) (tensor.DType, error) {
	if !n.Attrs.Has("T") {
		return tensor.Invalid, nil
	}
	dt, err := n.Attrs.Type("T", tensor.Invalid)
	if err != nil {
		return tensor.Invalid, err
	}
	if !slices.Contains(allowed, dt) {
		return tensor.Invalid, kernel.Unsupported("attribute \"T\" = %v for %s", dt, n.Op())
	}
	return dt, nil
}

// sameDType checks that every tensor has one dtype, allowed and equal to
// want unless want is Invalid, and returns it.
func sameDType(want tensor.DType, allowed []tensor.DType, ts ...*tensor.Tensor) (tensor.DType, error) {
	dt := ts[0].DType()
	if want != tensor.Invalid && dt != want {
		return 0, kernel.Invalid("input dtype %v does not match attribute T = %v", dt, want)
	}
	if !slices.Contains(allowed, dt) {
		return 0, kernel.Unsupported("dtype %v", dt)
	}
	for i, t := range ts[1:] {
		if t.DType() != dt {
			return 0, kernel.Invalid("input %d has dtype %v, input 0 has %v", i+1, t.DType(), dt)
		}
	}
	return dt, nil
}

// checkRank reports TensorFlow's error for a tensor of the wrong rank.
func checkRank(t *tensor.Tensor, name string, rank int) error {
	if t.Rank() != rank {
		return kernel.Invalid("%s must be rank %d but is rank %d", name, rank, t.Rank())
	}
	return nil
}

// checkDim reports TensorFlow's error for a dimension of the wrong size.
func checkDim(t *tensor.Tensor, name string, d, want int, what string) error {
	if got := t.Shape()[d]; got != want {
		return kernel.Invalid("%s.dims(%d) != %s: %d vs. %d", name, d, what, got, want)
	}
	return nil
}

// lstmWeights are an LSTM's parameters as float32: w is
// [input_size + cell_size, 4·cell_size], b is [4·cell_size] and the
// peephole vectors, read only with use_peephole, are [cell_size].
type lstmWeights struct {
	w, b          []float32
	wci, wcf, wco []float32
}

// stageWeights checks the shapes of w, wci, wcf, wco and b (inputs in
// TensorFlow's order) and returns them as float32.
func stageWeights(p *lstmParams, in []*tensor.Tensor, inputSize, cell int) (*lstmWeights, error) {
	w, wci, wcf, wco, b := in[0], in[1], in[2], in[3], in[4]
	if err := checkRank(w, "w", 2); err != nil {
		return nil, err
	}
	if w.Shape()[0] != inputSize+cell {
		return nil, kernel.Invalid("w.dim_size(0) != input_size + cell_size: %d vs. %d", w.Shape()[0], inputSize+cell)
	}
	if w.Shape()[1] != 4*cell {
		return nil, kernel.Invalid("w.dim_size(1) != cell_size * 4: %d vs. %d", w.Shape()[1], 4*cell)
	}
	for _, v := range []struct {
		t    *tensor.Tensor
		name string
	}{{wci, "wci"}, {wcf, "wcf"}, {wco, "wco"}} {
		if err := checkRank(v.t, v.name, 1); err != nil {
			return nil, err
		}
		// TensorFlow reads cell_size elements without checking; a short
		// vector would be read out of bounds, so it is an error here.
		if p.peephole && v.t.Shape()[0] != cell {
			return nil, kernel.Invalid("%s.dim_size(0) != cell_size: %d vs. %d", v.name, v.t.Shape()[0], cell)
		}
	}
	if err := checkRank(b, "b", 1); err != nil {
		return nil, err
	}
	if b.Shape()[0] != 4*cell {
		return nil, kernel.Invalid("b.dim_size(0) != cell_size * 4: %d vs. %d", b.Shape()[0], 4*cell)
	}
	lw := &lstmWeights{}
	var err error
	if lw.w, err = kernel.Float32s(w); err != nil {
		return nil, err
	}
	if lw.b, err = kernel.Float32s(b); err != nil {
		return nil, err
	}
	if p.peephole {
		if lw.wci, err = kernel.Float32s(wci); err != nil {
			return nil, err
		}
		if lw.wcf, err = kernel.Float32s(wcf); err != nil {
			return nil, err
		}
		if lw.wco, err = kernel.Float32s(wco); err != nil {
			return nil, err
		}
	}
	return lw, nil
}

// lstmOut holds the seven outputs i, cs, f, o, ci, co and h, in that
// order, each batch×cell (per time step).
type lstmOut [7][]float32

func newLSTMOut(n int) *lstmOut {
	var o lstmOut
	for k := range o {
		o[k] = make([]float32, n)
	}
	return &o
}

// slice returns the outputs' rows [lo, hi).
func (o *lstmOut) slice(lo, hi int) *lstmOut {
	var s lstmOut
	for k := range o {
		s[k] = o[k][lo:hi]
	}
	return &s
}

// tensors converts the outputs to tensors of dtype dt and the given shape.
func (o *lstmOut) tensors(dt tensor.DType, shape tensor.Shape) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(o))
	for k, v := range o {
		t, err := kernel.FromFloat32s(dt, shape.Clone(), v)
		if err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}

// lstmStep applies the cell's gates to one time step. gates holds
// xh·w + b for each batch row (4·cell columns); csPrev is the previous
// cell state. It follows TensorFlow's LSTMBlockCellFprop:
//
//	i  = σ(gates_i + cs_prev ⊙ wci)
//	ci = tanh(gates_ci)
//	f  = σ(gates_f + forget_bias + cs_prev ⊙ wcf)
//	cs = clip(i ⊙ ci + f ⊙ cs_prev, cell_clip)
//	co = tanh(cs)
//	o  = σ(gates_o + cs ⊙ wco)
//	h  = o ⊙ co
//
// with the peephole terms only under use_peephole and the clip only for a
// positive cell_clip.
func lstmStep(p *lstmParams, lw *lstmWeights, batch, cell int, gates, csPrev []float32, out *lstmOut) {
	cOff, fOff := p.offsets(cell)
	oOff := 3 * cell
	kernel.ParallelFor(batch, cell*80, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			g := gates[r*4*cell : (r+1)*4*cell]
			base := r * cell
			for j := range cell {
				cp := csPrev[base+j]
				gi, gf, gc, gO := g[j], g[fOff+j]+p.forgetBias, g[cOff+j], g[oOff+j]
				if p.peephole {
					gi += float32(cp * lw.wci[j])
					gf += float32(cp * lw.wcf[j])
				}
				i := sigmoid32(gi)
				ci := tanh32(gc)
				f := sigmoid32(gf)
				cs := float32(i*ci) + float32(f*cp)
				if p.cellClip > 0 {
					if cs < -p.cellClip {
						cs = -p.cellClip
					} else if cs > p.cellClip {
						cs = p.cellClip
					}
				}
				co := tanh32(cs)
				if p.peephole {
					gO += float32(cs * lw.wco[j])
				}
				o := sigmoid32(gO)
				k := base + j
				out[0][k], out[1][k], out[2][k], out[3][k] = i, cs, f, o
				out[4][k], out[5][k], out[6][k] = ci, co, o*co
			}
		}
	})
}

func newLSTMBlockCell(n *kernel.Node) (kernel.Kernel, error) {
	p, err := parseLSTM(n, icfo)
	if err != nil {
		return nil, err
	}
	mm, err := newGemm(n.Name())
	if err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 8); err != nil {
			return nil, err
		}
		dt, err := sameDType(p.dtype, lstmTypes, in...)
		if err != nil {
			return nil, err
		}
		x, csPrevT, hPrevT := in[0], in[1], in[2]
		if err := checkRank(x, "x_tensor", 2); err != nil {
			return nil, err
		}
		if err := checkRank(csPrevT, "cs_prev_tensor", 2); err != nil {
			return nil, err
		}
		if err := checkRank(hPrevT, "h_prev_tensor", 2); err != nil {
			return nil, err
		}
		batch, inputSize, cell := x.Shape()[0], x.Shape()[1], csPrevT.Shape()[1]
		if err := checkDim(csPrevT, "cs_prev", 0, batch, "batch_size"); err != nil {
			return nil, err
		}
		if err := checkDim(hPrevT, "h_prev", 0, batch, "batch_size"); err != nil {
			return nil, err
		}
		if err := checkDim(hPrevT, "h_prev", 1, cell, "cell_size"); err != nil {
			return nil, err
		}
		if batch == 0 || cell == 0 {
			return nil, kernel.Invalid("cs_prev_tensor is empty, has shape: (%d,%d).", batch, cell)
		}
		lw, err := stageWeights(p, in[3:], inputSize, cell)
		if err != nil {
			return nil, err
		}
		xv, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		csPrev, err := kernel.Float32s(csPrevT)
		if err != nil {
			return nil, err
		}
		hPrev, err := kernel.Float32s(hPrevT)
		if err != nil {
			return nil, err
		}
		// xh = [x, h_prev]; gates = xh·w + b.
		k := inputSize + cell
		xh := make([]float32, batch*k)
		for r := range batch {
			copy(xh[r*k:], xv[r*inputSize:(r+1)*inputSize])
			copy(xh[r*k+inputSize:], hPrev[r*cell:(r+1)*cell])
		}
		gates, err := mm.mul(ctx, xh, batch, k, lw.w, 4*cell, lw.b)
		if err != nil {
			return nil, fmt.Errorf("LSTMBlockCell %q: %w", n.Name(), err)
		}
		out := newLSTMOut(batch * cell)
		lstmStep(p, lw, batch, cell, gates, csPrev, out)
		return out.tensors(dt, tensor.Shape{batch, cell})
	}, nil
}

func newBlockLSTM(layout gateLayout) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		p, err := parseLSTM(n, layout)
		if err != nil {
			return nil, err
		}
		mm, err := newGemm(n.Name())
		if err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 9); err != nil {
				return nil, err
			}
			return blockLSTM(ctx, p, mm, in)
		}, nil
	}
}

// blockLSTM runs BlockLSTM or BlockLSTMV2: the cell over the first
// seq_len_max time steps of x ([time, batch, input_size]), each step
// starting from the previous step's cs and h. The input projection of all
// steps is one product; each step then multiplies only h by the recurrent
// rows of w. Outputs are [time, batch, cell_size]; time steps from
// seq_len_max on are zero (TensorFlow zeroes cs and h there and leaves
// the other outputs uninitialised).
func blockLSTM(ctx *kernel.Context, p *lstmParams, mm *gemm, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	seqT, x, csPrevT, hPrevT := in[0], in[1], in[2], in[3]
	if seqT.Rank() != 0 {
		return nil, kernel.Invalid("`seq_len_max_tensor` must be rank 0 but is rank %d", seqT.Rank())
	}
	dt, err := sameDType(p.dtype, lstmTypes, in[1:]...)
	if err != nil {
		return nil, err
	}
	if x.Rank() != 3 {
		return nil, kernel.Invalid("x must be 3D")
	}
	timeLen, batch, inputSize := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	if csPrevT.Rank() != 2 {
		return nil, kernel.Invalid("cs_prev must be 2D")
	}
	if err := checkDim(csPrevT, "cs_prev", 0, batch, "batch_size"); err != nil {
		return nil, err
	}
	cell := csPrevT.Shape()[1]
	if hPrevT.Rank() != 2 {
		return nil, kernel.Invalid("h_prev must be 2D")
	}
	if err := checkDim(hPrevT, "h_prev", 0, batch, "batch_size"); err != nil {
		return nil, err
	}
	if err := checkDim(hPrevT, "h_prev", 1, cell, "cell_size"); err != nil {
		return nil, err
	}
	lw, err := stageWeights(p, in[4:], inputSize, cell)
	if err != nil {
		return nil, err
	}
	seqLen, err := kernel.Int(seqT)
	if err != nil {
		return nil, kernel.Invalid("seq_len_max: %v", err)
	}
	if seqLen < 0 || seqLen > timeLen {
		return nil, kernel.Invalid("seq_len_max must be between 0 and %d but is %d", timeLen, seqLen)
	}
	// Seven outputs of [time_len, batch, cell], allocated together; x may
	// be empty (input_size 0), so they are not bounded by the inputs.
	if err := tensor.CheckAlloc(tensor.Float32, tensor.Shape{len(lstmOut{}), timeLen, batch, cell}); err != nil {
		return nil, err
	}
	step := batch * cell
	out := newLSTMOut(timeLen * step)
	if seqLen > 0 && step > 0 {
		xv, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		csPrev, err := kernel.Float32s(csPrevT)
		if err != nil {
			return nil, err
		}
		hPrev, err := kernel.Float32s(hPrevT)
		if err != nil {
			return nil, err
		}
		// gx[t] = x[t]·w[:input_size] + b for every step at once.
		gx, err := mm.mul(ctx, xv, seqLen*batch, inputSize, lw.w, 4*cell, lw.b)
		if err != nil {
			return nil, err
		}
		wh := lw.w[inputSize*4*cell:]
		for t := range seqLen {
			if err := cancelled(ctx); err != nil {
				return nil, err
			}
			gates, err := mm.mul(ctx, hPrev, batch, cell, wh, 4*cell, nil)
			if err != nil {
				return nil, err
			}
			gxt := gx[t*batch*4*cell : (t+1)*batch*4*cell]
			for k := range gates {
				gates[k] += gxt[k]
			}
			cur := out.slice(t*step, (t+1)*step)
			lstmStep(p, lw, batch, cell, gates, csPrev, cur)
			csPrev, hPrev = cur[1], cur[6]
		}
	}
	return out.tensors(dt, tensor.Shape{timeLen, batch, cell})
}
