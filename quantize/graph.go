package quantize

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
	"google.golang.org/protobuf/proto"
)

// index is what the rewrites need to know about an ONNX graph: its
// initializers, the producer and consumers of each tensor, and the names
// in use.
type index struct {
	g         *onnxpb.GraphProto
	inits     map[string]*onnxpb.TensorProto
	producer  map[string]*onnxpb.NodeProto
	consumers map[string][]*onnxpb.NodeProto // in node order
	outputs   map[string]bool                // graph outputs
	names     map[string]bool                // every tensor and node name
}

func newIndex(g *onnxpb.GraphProto) *index {
	ix := &index{g: g, inits: map[string]*onnxpb.TensorProto{}, producer: map[string]*onnxpb.NodeProto{},
		consumers: map[string][]*onnxpb.NodeProto{}, outputs: map[string]bool{}, names: map[string]bool{}}
	for _, t := range g.GetInitializer() {
		ix.inits[t.GetName()] = t
		ix.names[t.GetName()] = true
	}
	for _, v := range g.GetInput() {
		ix.names[v.GetName()] = true
	}
	for _, v := range g.GetOutput() {
		ix.outputs[v.GetName()] = true
	}
	for _, n := range g.GetNode() {
		ix.names[n.GetName()] = true
		for _, in := range n.GetInput() {
			if in != "" && !containsNode(ix.consumers[in], n) {
				ix.consumers[in] = append(ix.consumers[in], n)
			}
		}
		for _, out := range n.GetOutput() {
			ix.producer[out] = n
			ix.names[out] = true
		}
	}
	return ix
}

func containsNode(ns []*onnxpb.NodeProto, n *onnxpb.NodeProto) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// fresh returns base, or base with a numeric suffix, unused in the graph,
// and reserves it.
func (ix *index) fresh(base string) string {
	name := base
	for i := 1; ix.names[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	ix.names[name] = true
	return name
}

// floatInit returns the values and shape of a float32 initializer.
func (ix *index) floatInit(name string) ([]float32, tensor.Shape, bool) {
	p, ok := ix.inits[name]
	if !ok || p.GetDataType() != int32(onnxpb.TensorProto_FLOAT) {
		return nil, nil, false
	}
	t, err := tensor.FromONNXProto(p)
	if err != nil {
		return nil, nil, false
	}
	return tensor.Values[float32](t), t.Shape(), true
}

// addInit adds an initializer holding t under a fresh name based on base.
func (ix *index) addInit(base string, t *tensor.Tensor) (string, error) {
	name := ix.fresh(base)
	p, err := tensor.ToONNXProto(t, name)
	if err != nil {
		return "", fmt.Errorf("quantize: initializer %s: %w", name, err)
	}
	ix.g.Initializer = append(ix.g.Initializer, p)
	ix.inits[name] = p
	return name, nil
}

// dropUnusedInits removes the initializers no node reads any more and
// that are not graph outputs.
func dropUnusedInits(g *onnxpb.GraphProto) {
	used := make(map[string]bool)
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			used[in] = true
		}
	}
	for _, v := range g.GetOutput() {
		used[v.GetName()] = true
	}
	kept := g.Initializer[:0]
	for _, t := range g.Initializer {
		if used[t.GetName()] {
			kept = append(kept, t)
		}
	}
	g.Initializer = kept
}

func node(op, name string, inputs, outputs []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: proto.String(op), Name: proto.String(name), Input: inputs, Output: outputs, Attribute: attrs}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// attrInt returns a node's integer attribute, or def.
func attrInt(n *onnxpb.NodeProto, name string, def int64) int64 {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a.GetI()
		}
	}
	return def
}

func attrFloat(n *onnxpb.NodeProto, name string, def float32) float32 {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a.GetF()
		}
	}
	return def
}

// attrInts returns an ints attribute of length n, def repeated when it
// is absent, or nil when it has another length or a value below 0.
func attrInts(n *onnxpb.NodeProto, name string, length, def int) []int {
	out := make([]int, length)
	for i := range out {
		out[i] = def
	}
	for _, a := range n.GetAttribute() {
		if a.GetName() != name {
			continue
		}
		if len(a.GetInts()) != length {
			return nil
		}
		for i, v := range a.GetInts() {
			if v < 0 || v > math.MaxInt32 {
				return nil
			}
			out[i] = int(v)
		}
	}
	return out
}

func attrString(n *onnxpb.NodeProto, name string) string {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return string(a.GetS())
		}
	}
	return ""
}

// symmetric quantizes w to int8 per channel along axis of shape
// (symmetric: zero point 0, scale max|w|/127), returning the values and
// each channel's scale.
func symmetric(w []float32, shape tensor.Shape, axis int) ([]int8, []float32) {
	channels := shape[axis]
	inner := 1
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	scales := make([]float32, channels)
	for i, v := range w {
		c := (i / inner) % channels
		scales[c] = max(scales[c], float32(math.Abs(float64(v))))
	}
	for c := range scales {
		if scales[c] == 0 {
			scales[c] = 1
		} else {
			scales[c] /= 127
		}
	}
	q := make([]int8, len(w))
	for i, v := range w {
		c := (i / inner) % channels
		q[i] = int8(clamp(math.RoundToEven(float64(v/scales[c])), -127, 127))
	}
	return q, scales
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// asymmetric returns the uint8 scale and zero point of a range, widened
// to hold zero exactly.
func asymmetric(r Range) (float32, uint8) {
	lo, hi := min(r.Min, 0), max(r.Max, 0)
	scale := (hi - lo) / 255
	if scale == 0 || !finite(scale) {
		return 1, 0
	}
	zp := clamp(math.RoundToEven(float64(-lo/scale)), 0, 255)
	return scale, uint8(zp)
}
