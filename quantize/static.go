package quantize

import (
	"fmt"
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// layer is a node static quantization can run on integers: its
// activation inputs and its output are quantized, its weight (if any) is
// int8 per channel and its bias int32.
type layer struct {
	n      *onnxpb.NodeProto
	acts   []string // activation inputs
	weight int      // input index of the float weight initializer, -1 without
	axis   int      // the weight's output-channel axis
	bias   int      // input index of the float bias initializer, -1 without
	out    string   // where the output is quantized (after a fused Relu/Clip)
}

// layerRules decide, per op type, whether a node is a layer and how: the
// op types ONNX Runtime's QDQ fusions turn into integer kernels
// (QLinearConv, QLinearMatMul, QGemm, QLinearAdd, QLinearAveragePool,
// QLinearGlobalAveragePool).
var layerRules = map[string]func(ix *index, n *onnxpb.NodeProto) (layer, bool){
	"Conv": func(ix *index, n *onnxpb.NodeProto) (layer, bool) {
		return weighted(ix, n, 1, 0, 2)
	},
	"MatMul": func(ix *index, n *onnxpb.NodeProto) (layer, bool) {
		return weighted(ix, n, 1, 1, -1)
	},
	"Gemm": func(ix *index, n *onnxpb.NodeProto) (layer, bool) {
		if attrInt(n, "transA", 0) != 0 || attrFloat(n, "alpha", 1) != 1 || attrFloat(n, "beta", 1) != 1 {
			return layer{}, false
		}
		axis := 1
		if attrInt(n, "transB", 0) != 0 {
			axis = 0
		}
		return weighted(ix, n, 1, axis, 2)
	},
	"Add": func(ix *index, n *onnxpb.NodeProto) (layer, bool) {
		in := n.GetInput()
		if len(in) != 2 || ix.inits[in[0]] != nil || ix.inits[in[1]] != nil || in[0] == in[1] {
			return layer{}, false
		}
		return layer{n: n, acts: slices.Clone(in), weight: -1, bias: -1, out: fusedOutput(ix, n.GetOutput()[0])}, true
	},
	"AveragePool":       pool,
	"GlobalAveragePool": pool,
}

// carries reports whether n only carries the values of its input 0 to
// its one output: moves them (the moves fold.go lists), selects them
// (MaxPool without its indices) or interpolates them (Resize). Its output
// is as integer as its input: ONNX Runtime propagates quantization
// through the ones it can run on uint8.
func carries(n *onnxpb.NodeProto) bool {
	op := n.GetOpType()
	return (moves[op] || op == "Resize" || op == "MaxPool") && len(n.GetInput()) > 0 && len(n.GetOutput()) == 1
}

// source returns the tensor whose values t holds: t itself, or, when
// carriers compute t, the input of the first of them.
func (ix *index) source(t string) string {
	for range ix.g.GetNode() { // no further: that would be a cycle
		p := ix.producer[t]
		if p == nil || !carries(p) {
			return t
		}
		t = p.GetInput()[0]
	}
	return t
}

func pool(ix *index, n *onnxpb.NodeProto) (layer, bool) {
	if len(n.GetInput()) != 1 || ix.inits[n.GetInput()[0]] != nil {
		return layer{}, false
	}
	return layer{n: n, acts: []string{n.GetInput()[0]}, weight: -1, bias: -1, out: n.GetOutput()[0]}, true
}

// weighted describes a node whose input w is a float weight initializer
// with output channels on axis, whose input 0 is the activation, and
// whose input b (if present) is a 1-D float bias initializer.
func weighted(ix *index, n *onnxpb.NodeProto, w, axis, b int) (layer, bool) {
	in := n.GetInput()
	if len(n.GetOutput()) != 1 || len(in) <= w || ix.inits[in[0]] != nil {
		return layer{}, false
	}
	_, shape, ok := ix.floatInit(in[w])
	if !ok || shape.Rank() <= axis || shape.Rank() < 2 {
		return layer{}, false
	}
	l := layer{n: n, acts: []string{in[0]}, weight: w, axis: axis, bias: -1, out: fusedOutput(ix, n.GetOutput()[0])}
	if b >= 0 && len(in) > b && in[b] != "" {
		_, bshape, ok := ix.floatInit(in[b])
		if !ok || bshape.Rank() != 1 || bshape[0] != shape[axis] {
			return layer{}, false
		}
		l.bias = b
	}
	return l, true
}

// fusedOutput is where a layer's output is quantized: after the Relu or
// Clip that alone consumes it, which ONNX Runtime then folds into the
// quantization.
func fusedOutput(ix *index, out string) string {
	cs := ix.consumers[out]
	if len(cs) != 1 || ix.outputs[out] {
		return out
	}
	switch c := cs[0]; c.GetOpType() {
	case "Relu":
		return c.GetOutput()[0]
	case "Clip":
		for _, bound := range c.GetInput()[1:] {
			if bound != "" && ix.inits[bound] == nil {
				return out
			}
		}
		return c.GetOutput()[0]
	}
	return out
}

// layers returns the graph's layers in node order.
func layers(ix *index) []layer {
	var out []layer
	for _, n := range ix.g.GetNode() {
		if rule, ok := layerRules[n.GetOpType()]; ok {
			if l, ok := rule(ix, n); ok {
				out = append(out, l)
			}
		}
	}
	return chain(ix, out, func(layer) bool { return true })
}

// chain returns the layers of ls (in node order) that keep accepts and
// whose inputs allow them. A layer without a weight (Add, the pools) only
// saves time when its inputs are integers already: quantizing the float
// inputs of an Add costs more than the integer Add saves, and loses
// precision where it matters (MoveNet adds its keypoint offsets to grid
// positions). So such a layer is kept only when each activation input
// comes, through carriers, from a kept layer's output.
func chain(ix *index, ls []layer, keep func(layer) bool) []layer {
	var out []layer
	outs := make(map[string]bool)
	for _, l := range ls {
		if !keep(l) {
			continue
		}
		ok := true
		for _, a := range l.acts {
			if l.weight < 0 && !outs[ix.source(a)] {
				ok = false
			}
		}
		if ok {
			out = append(out, l)
			outs[l.out] = true
		}
	}
	return out
}

// Layers returns the names of the nodes of m that Int8 quantization can
// run on integers, in node order: what accuracy-aware quantization ranks
// and reverts.
func Layers(m *onnxpb.ModelProto) []string {
	var names []string
	for _, l := range layers(newIndex(m.GetGraph())) {
		names = append(names, l.n.GetName())
	}
	return names
}

// CalibrationTensors returns the float activations of m whose ranges
// Int8 quantization needs, in the order the graph computes them.
func CalibrationTensors(m *onnxpb.ModelProto) []string {
	ix := newIndex(m.GetGraph())
	need := make(map[string]bool)
	for _, l := range layers(ix) {
		for _, a := range l.acts {
			need[a] = true
		}
		need[l.out] = true
	}
	var out []string
	for _, v := range m.GetGraph().GetInput() {
		if need[v.GetName()] {
			out = append(out, v.GetName())
			delete(need, v.GetName())
		}
	}
	for _, n := range m.GetGraph().GetNode() {
		for _, o := range n.GetOutput() {
			if need[o] {
				out = append(out, o)
				delete(need, o)
			}
		}
	}
	return out
}

// qparams are one activation's quantization: scale and zero point
// initializers and the dequantized tensor consumers read.
type qparams struct {
	scale     float32
	scaleName string
	zpName    string
	dq        string
}

// applyInt8 quantizes the layers of the graph that have every range
// they need and are not reverted, and returns their names.
func applyInt8(m *onnxpb.ModelProto, c *ClusterPlan, reverted map[string]bool) ([]string, error) {
	ix := newIndex(m.GetGraph())
	ranges := c.ranges()
	chosen := chain(ix, layers(ix), func(l layer) bool {
		if reverted[l.n.GetName()] {
			return false
		}
		for _, t := range append(slices.Clone(l.acts), l.out) {
			if _, has := ranges[t]; !has {
				return false
			}
		}
		return true
	})
	if len(chosen) == 0 {
		return nil, nil
	}
	points := make(map[string]bool)
	for _, l := range chosen {
		for _, t := range l.acts {
			points[t] = true
		}
		points[l.out] = true
	}

	// An activation a normalization chain computes is quantized from
	// the chain's source, and the chain dropped.
	folds := make(map[string]fold)
	dropped := make(map[*onnxpb.NodeProto]bool)
	for _, l := range chosen {
		for _, t := range l.acts {
			if _, seen := folds[t]; seen {
				continue
			}
			if f, ok := foldOf(ix, t, ranges[t]); ok {
				folds[t] = f
				for _, n := range append(slices.Clone(f.nodes), f.moves...) {
					dropped[n] = true
				}
			}
		}
	}

	// Quantize each point once, right after it is computed, and point
	// every consumer at the dequantized value.
	params := make(map[string]*qparams)
	qdq := func(t string) ([]*onnxpb.NodeProto, error) {
		f, folded := folds[t]
		if !folded {
			f.src = t
			f.scale, f.zp = asymmetric(ranges[t])
			f.srcScale, f.srcZP = f.scale, f.zp
		}
		p := &qparams{scale: f.scale}
		var err error
		if p.scaleName, err = ix.addInit(t+"/scale", tensor.Scalar(f.scale)); err != nil {
			return nil, err
		}
		if p.zpName, err = ix.addInit(t+"/zero_point", tensor.Scalar(f.zp)); err != nil {
			return nil, err
		}
		srcScale, srcZP := p.scaleName, p.zpName
		if folded {
			if srcScale, err = ix.addInit(t+"/source_scale", tensor.Scalar(f.srcScale)); err != nil {
				return nil, err
			}
			if srcZP, err = ix.addInit(t+"/source_zero_point", tensor.Scalar(f.srcZP)); err != nil {
				return nil, err
			}
		}
		q := ix.fresh(t + "/quantized")
		p.dq = ix.fresh(t + "/dequantized")
		params[t] = p
		nodes := []*onnxpb.NodeProto{node("QuantizeLinear", ix.fresh(t+"/QuantizeLinear"), []string{f.src, srcScale, srcZP}, []string{q})}
		if len(f.shape) > 0 {
			// The chain's constants may have broadcast src to a larger
			// shape: so does an Expand, on uint8.
			shape, err := ix.addInit(t+"/shape", tensor.MustFromSlice(tensor.Shape{len(f.shape)}, f.shape.Int64s()))
			if err != nil {
				return nil, err
			}
			expanded := ix.fresh(t + "/expanded")
			nodes = append(nodes, node("Expand", ix.fresh(t+"/Expand"), []string{q, shape}, []string{expanded}))
			q = expanded
		}
		for _, n := range f.moves {
			n.Input[0] = q
			q = ix.fresh(n.GetOutput()[0] + "/quantized")
			n.Output[0] = q
			nodes = append(nodes, n)
		}
		nodes = append(nodes, node("DequantizeLinear", ix.fresh(t+"/DequantizeLinear"), []string{q, p.scaleName, p.zpName}, []string{p.dq}))
		return nodes, nil
	}
	var nodes []*onnxpb.NodeProto
	for _, v := range m.GetGraph().GetInput() {
		if points[v.GetName()] {
			ns, err := qdq(v.GetName())
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, ns...)
		}
	}
	for _, n := range m.GetGraph().GetNode() {
		if !dropped[n] {
			nodes = append(nodes, n)
		}
		for _, o := range n.GetOutput() {
			if points[o] {
				ns, err := qdq(o)
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, ns...)
			}
		}
	}
	for _, n := range nodes {
		if n.GetOpType() == "QuantizeLinear" {
			continue
		}
		for i, in := range n.Input {
			if p, ok := params[in]; ok {
				n.Input[i] = p.dq
			}
		}
	}
	rounded := make(map[string]*LayerWeights)
	if c != nil {
		for i, w := range c.Weights {
			rounded[w.Layer] = &c.Weights[i]
		}
	}
	var names []string
	var weightNodes []*onnxpb.NodeProto
	for _, l := range chosen {
		names = append(names, l.n.GetName())
		if l.weight < 0 {
			continue
		}
		ns, err := quantizeWeights(ix, l, params[l.acts[0]].scale, rounded[l.n.GetName()])
		if err != nil {
			return nil, err
		}
		weightNodes = append(weightNodes, ns...)
	}
	m.Graph.Node = append(weightNodes, nodes...)
	dropUnusedInits(m.Graph)
	return names, nil
}

// quantizeWeights replaces a layer's weight by int8 values per channel
// (rounded as w says, else to nearest) and its bias by int32 values at
// the input scale times each channel's weight scale (what integer
// kernels accumulate in), both dequantized by nodes it returns.
func quantizeWeights(ix *index, l layer, inScale float32, w *LayerWeights) ([]*onnxpb.NodeProto, error) {
	name := l.n.GetName()
	wq, ws, wz, scales, err := int8Weight(ix, name, l.n.Input[l.weight], l.axis, w)
	if err != nil {
		return nil, err
	}
	wdq := ix.fresh(name + "/weight_dequantized")
	nodes := []*onnxpb.NodeProto{node("DequantizeLinear", ix.fresh(name+"/weight/DequantizeLinear"), []string{wq, ws, wz}, []string{wdq}, intAttr("axis", int64(l.axis)))}
	l.n.Input[l.weight] = wdq
	if l.bias < 0 {
		return nodes, nil
	}
	b, _, _ := ix.floatInit(l.n.Input[l.bias])
	bq := make([]int32, len(b))
	bs := make([]float32, len(b))
	for i, v := range b {
		bs[i] = inScale * scales[i]
		if bs[i] == 0 {
			bs[i] = 1
		}
		bq[i] = int32(clamp(math.RoundToEven(float64(v/bs[i])), math.MinInt32, math.MaxInt32))
	}
	bqn, err := ix.addInit(name+"/bias_quantized", tensor.MustFromSlice(tensor.Shape{len(bq)}, bq))
	if err != nil {
		return nil, err
	}
	bsn, err := ix.addInit(name+"/bias_scale", tensor.MustFromSlice(tensor.Shape{len(bs)}, bs))
	if err != nil {
		return nil, err
	}
	bzn, err := ix.addInit(name+"/bias_zero_point", tensor.MustFromSlice(tensor.Shape{len(bs)}, make([]int32, len(bs))))
	if err != nil {
		return nil, err
	}
	bdq := ix.fresh(name + "/bias_dequantized")
	nodes = append(nodes, node("DequantizeLinear", ix.fresh(name+"/bias/DequantizeLinear"), []string{bqn, bsn, bzn}, []string{bdq}, intAttr("axis", 0)))
	l.n.Input[l.bias] = bdq
	return nodes, nil
}

// int8Weight adds the int8 values (symmetric per channel along axis,
// rounded as rw says when it is not nil), scales and zero points of a
// float weight initializer, named after the node, and returns their
// names and the scales.
func int8Weight(ix *index, node, weight string, axis int, rw *LayerWeights) (q, scale, zero string, scales []float32, err error) {
	w, shape, _ := ix.floatInit(weight)
	vals, scales := symmetric(w, shape, axis)
	if rw != nil {
		if err := rw.apply(vals); err != nil {
			return "", "", "", nil, err
		}
	}
	qt, err := tensor.FromSlice(shape, vals)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("quantize: %s: weight: %w", node, err)
	}
	if q, err = ix.addInit(node+"/weight_quantized", qt); err != nil {
		return "", "", "", nil, err
	}
	if scale, err = ix.addInit(node+"/weight_scale", tensor.MustFromSlice(tensor.Shape{len(scales)}, scales)); err != nil {
		return "", "", "", nil, err
	}
	if zero, err = ix.addInit(node+"/weight_zero_point", tensor.MustFromSlice(tensor.Shape{len(scales)}, make([]int8, len(scales)))); err != nil {
		return "", "", "", nil, err
	}
	return q, scale, zero, scales, nil
}
