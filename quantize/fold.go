package quantize

import (
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// fold is an activation computed from another tensor, src, as a·src + b
// by a chain of Add, Sub, Mul and Div nodes with constant operands: an
// image model's input normalization. Int8 quantizes src straight to the
// activation's integers, so the chain never runs: where ONNX Runtime
// spends about half a millisecond on MoveNet's (it broadcasts [1,1,1,3]
// constants three elements at a time), a QuantizeLinear it runs anyway
// does the work for free.
type fold struct {
	src   string
	a, b  float64
	shape tensor.Shape // the constants' broadcast shape; empty when all are scalars
	nodes []*onnxpb.NodeProto
	// moves are the data-movement nodes between the chain and the
	// activation (a Transpose to NCHW), in graph order: they move the
	// integers instead.
	moves []*onnxpb.NodeProto
	// The activation's quantization, chosen so that b is a whole number
	// of steps, and src's, which gives the same integers.
	scale, srcScale float32
	zp, srcZP       uint8
}

// foldOf returns the fold that computes the activation t, whose range is
// r, when there is one: the longest chain that nothing else reads on the
// way and that gives a > 0 (uint8 steps cannot run backwards), t no
// graph output, and both zero points within uint8 once b is made a whole
// number of steps. Quantizing src then gives the integers quantizing t
// would, up to ties in rounding.
func foldOf(ix *index, t string, r Range) (fold, bool) {
	if ix.outputs[t] {
		return fold{}, false
	}
	f := fold{src: t, a: 1}
	// A walk longer than the graph has nodes is going round a cycle.
	steps := len(ix.g.GetNode())
	for ; steps > 0; steps-- {
		n := ix.producer[f.src]
		if n == nil || !moves[n.GetOpType()] || len(n.GetOutput()) != 1 || (f.src != t && (len(ix.consumers[f.src]) != 1 || ix.outputs[f.src])) {
			break
		}
		f.moves = append([]*onnxpb.NodeProto{n}, f.moves...)
		f.src = n.GetInput()[0]
	}
	best := fold{} // the longest chain with a > 0
	for ; steps > 0; steps-- {
		n := ix.producer[f.src]
		if n == nil || (f.src != t && (len(ix.consumers[f.src]) != 1 || ix.outputs[f.src])) {
			break
		}
		x, c, shape, ok := constOperand(ix, n)
		if !ok {
			break
		}
		a, b := f.a, f.b
		switch n.GetOpType() {
		case "Add":
			b += a * c
		case "Sub":
			b -= a * c
		case "Mul":
			a *= c
		case "Div":
			a /= c
		}
		s, err := tensor.BroadcastShapes(f.shape, shape)
		if err != nil || !finite(a) || !finite(b) {
			break
		}
		f.a, f.b, f.shape, f.src = a, b, s, x
		f.nodes = append(f.nodes, n)
		if a > 0 {
			best = f
			best.nodes = slices.Clone(f.nodes)
		}
	}
	f = best
	if len(f.nodes) == 0 {
		return fold{}, false
	}
	lo, hi := float64(min(r.Min, 0)), float64(max(r.Max, 0))
	step := (hi - lo) / 255
	if step == 0 || !finite(step) {
		return fold{}, false
	}
	k := 0.0 // b in steps
	if f.b != 0 {
		k = max(1, math.Floor(math.Abs(f.b)/step))
		step = math.Abs(f.b) / k
		k = math.Copysign(k, f.b)
	}
	zp := math.RoundToEven(-lo / step)
	srcZP := zp + k
	if zp < 0 || zp > 255 || srcZP < 0 || srcZP > 255 {
		return fold{}, false
	}
	f.scale, f.zp = float32(step), uint8(zp)
	f.srcScale, f.srcZP = float32(step/f.a), uint8(srcZP)
	return f, true
}

// moves are the op types that only rearrange their input 0, which
// ONNX Runtime does on uint8 as well as on float32.
var moves = map[string]bool{"Reshape": true, "Transpose": true, "Squeeze": true, "Unsqueeze": true, "Flatten": true}

// constOperand returns the activation operand of an Add, Sub, Mul or Div
// node whose other operand is a float constant with all values equal
// (the second one for Sub and Div), that value and the constant's shape.
func constOperand(ix *index, n *onnxpb.NodeProto) (x string, c float64, shape tensor.Shape, ok bool) {
	in := n.GetInput()
	if len(in) != 2 || len(n.GetOutput()) != 1 {
		return "", 0, nil, false
	}
	ci := 1
	switch n.GetOpType() {
	case "Add", "Mul":
		if ix.inits[in[1]] == nil {
			ci = 0
		}
	case "Sub", "Div":
	default:
		return "", 0, nil, false
	}
	x = in[1-ci]
	if ix.inits[x] != nil {
		return "", 0, nil, false
	}
	vals, shape, ok := ix.floatInit(in[ci])
	if !ok || len(vals) == 0 {
		return "", 0, nil, false
	}
	for _, v := range vals {
		if v != vals[0] {
			return "", 0, nil, false
		}
	}
	c = float64(vals[0])
	if !finite(c) || (n.GetOpType() == "Div" && c == 0) {
		return "", 0, nil, false
	}
	return x, c, shape, true
}
