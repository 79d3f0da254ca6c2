package nn

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newSoftmax prepares Softmax (log=false) or LogSoftmax (log=true) over
// the last axis.
func newSoftmax(log bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkTypeAttr(n, "T", floatTypes); err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			x := in[0]
			if x.Rank() < 1 {
				return nil, fmt.Errorf("logits must have >= 1 dimension, got shape %v", x.Shape())
			}
			if err := checkDType(x, floatTypes); err != nil {
				return nil, err
			}
			cols := x.Shape()[x.Rank()-1]
			s, err := stage(x)
			if err != nil {
				return nil, err
			}
			var out *tensor.Tensor
			if s.wide {
				res := make([]float64, len(s.f64))
				softmaxRows(s.f64, res, cols, log)
				out, err = tensor.FromSlice(x.Shape(), res)
			} else {
				res := make([]float32, len(s.f32))
				softmaxRows(s.f32, res, cols, log)
				out, err = kernel.FromFloat32s(x.DType(), x.Shape(), res)
			}
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// softmaxRows computes the (log-)softmax of each row of cols values,
// subtracting the row maximum first as TensorFlow does. Softmax multiplies
// by the reciprocal of the sum, like TensorFlow's Eigen expression.
func softmaxRows[F float](x, out []F, cols int, log bool) {
	if len(x) == 0 || cols == 0 {
		return
	}
	rows := len(x) / cols
	kernel.ParallelFor(rows, cols*24, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			src := x[r*cols : (r+1)*cols]
			dst := out[r*cols : (r+1)*cols]
			m := rowMax(src)
			var sum float64
			if log {
				for j, v := range src {
					d := v - m
					dst[j] = d
					sum += float64(F(math.Exp(float64(d))))
				}
				lse := F(math.Log(sum))
				for j := range dst {
					dst[j] -= lse
				}
				continue
			}
			for j, v := range src {
				e := F(math.Exp(float64(v - m)))
				dst[j] = e
				sum += float64(e)
			}
			inv := 1 / F(sum)
			for j := range dst {
				dst[j] *= inv
			}
		}
	})
}

// rowMax returns the largest value of a non-empty row, NaN if any is NaN
// (so NaN propagates to the whole row, as in TensorFlow).
func rowMax[F float](v []F) F {
	m := v[0]
	for _, x := range v[1:] {
		if x > m || x != x {
			m = x
		}
	}
	return m
}

// newSoftmaxXent prepares SoftmaxCrossEntropyWithLogits: inputs logits and
// labels (broadcast against each other to a matrix), outputs the per-row
// loss and the backprop softmax − labels.
func newSoftmaxXent(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkTypeAttr(n, "T", floatTypes); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		logits, labels := in[0], in[1]
		if err := checkDType(logits, floatTypes); err != nil {
			return nil, err
		}
		if labels.DType() != logits.DType() {
			return nil, fmt.Errorf("labels dtype %v does not match logits dtype %v", labels.DType(), logits.DType())
		}
		shape := logits.Shape()
		if !shape.Equal(labels.Shape()) {
			s, err := tensor.BroadcastShapes(logits.Shape(), labels.Shape())
			if err != nil {
				return nil, fmt.Errorf("logits and labels must be broadcastable: logits_size=%v labels_size=%v", logits.Shape(), labels.Shape())
			}
			shape = s
		}
		if len(shape) != 2 {
			return nil, fmt.Errorf("logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional, got logits_size=%v labels_size=%v", logits.Shape(), labels.Shape())
		}
		// Broadcasting can make the backprop output far larger than the
		// inputs; it is computed in float64 or float32.
		staged := tensor.Float32
		if logits.DType() == tensor.Float64 {
			staged = tensor.Float64
		}
		if err := tensor.CheckAlloc(staged, shape); err != nil {
			return nil, err
		}
		g := xentGeom{
			rows: shape[0], cols: shape[1],
			lg: kernel.BroadcastStrides(logits.Shape(), shape),
			lb: kernel.BroadcastStrides(labels.Shape(), shape),
		}
		ls, err := stage(logits)
		if err != nil {
			return nil, err
		}
		bs, err := stage(labels)
		if err != nil {
			return nil, err
		}
		lossShape := tensor.Shape{shape[0]}
		var loss, back *tensor.Tensor
		if ls.wide {
			lv, bv := make([]float64, g.rows), make([]float64, g.rows*g.cols)
			softmaxXent(g, ls.f64, bs.f64, lv, bv)
			loss, back = tensor.MustFromSlice(lossShape, lv), tensor.MustFromSlice(shape, bv)
		} else {
			lv, bv := make([]float32, g.rows), make([]float32, g.rows*g.cols)
			softmaxXent(g, ls.f32, bs.f32, lv, bv)
			if loss, err = kernel.FromFloat32s(logits.DType(), lossShape, lv); err != nil {
				return nil, err
			}
			if back, err = kernel.FromFloat32s(logits.DType(), shape, bv); err != nil {
				return nil, err
			}
		}
		return []*tensor.Tensor{loss, back}, nil
	}, nil
}

// xentGeom is the broadcast geometry of SoftmaxCrossEntropyWithLogits:
// the [rows, cols] result and each input's element strides along it.
type xentGeom struct {
	rows, cols int
	lg, lb     []int
}

func softmaxXent[F float](g xentGeom, logits, labels, loss, back []F) {
	if g.rows == 0 {
		return
	}
	kernel.ParallelFor(g.rows, g.cols*24, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			lgRow, lbRow := r*g.lg[0], r*g.lb[0]
			dst := back[r*g.cols : (r+1)*g.cols]
			m := F(math.Inf(-1))
			for j := range dst {
				v := logits[lgRow+j*g.lg[1]]
				if v > m || v != v {
					m = v
				}
			}
			var sum float64
			for j := range dst {
				d := logits[lgRow+j*g.lg[1]] - m
				dst[j] = d
				sum += math.Exp(float64(d))
			}
			logSum := F(math.Log(sum))
			var l float64
			for j, d := range dst {
				l += float64(labels[lbRow+j*g.lb[1]] * (logSum - d))
			}
			loss[r] = F(l)
			s := F(sum)
			for j, d := range dst {
				dst[j] = F(math.Exp(float64(d)))/s - labels[lbRow+j*g.lb[1]]
			}
		}
	})
}
