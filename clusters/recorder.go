package clusters

import (
	"slices"
	"sync"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// Recorder collects what translation needs to know about a cluster's
// tensors — dtype, shape and, for static tensors, the value — while an
// executor computes the cluster on real inputs (its Observe method is the
// executor's observer). It is safe for concurrent use by one run.
type Recorder struct {
	mu    sync.Mutex
	info  map[string]TensorInfo
	known opdefs.Known
}

// NewRecorder prepares to record a run of cl on inputs (in cluster-input
// order). static marks the inputs whose values are compile-time constants;
// which other tensors are static follows from opdefs.Analyze.
func NewRecorder(cl *Cluster, inputs []*tensor.Tensor, static []bool) *Recorder {
	r := &Recorder{info: make(map[string]TensorInfo, len(cl.Nodes)+len(inputs))}
	isStatic := map[string]bool{}
	for i, name := range cl.Inputs {
		if i >= len(inputs) {
			break
		}
		ti := TensorInfo{DType: inputs[i].DType(), Shape: slices.Clone(inputs[i].Shape())}
		if i < len(static) && static[i] {
			ti.Value = inputs[i]
			isStatic[name] = true
		}
		r.info[name] = ti
	}
	r.known = opdefs.Analyze(cl.Nodes, func(t graph.TensorName) bool { return isStatic[t.Canonical()] })
	return r
}

// Observe records the outputs of node n.
func (r *Recorder) Observe(n *tfpb.NodeDef, outs []*tensor.Tensor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, t := range outs {
		if t == nil {
			continue
		}
		ti := TensorInfo{DType: t.DType(), Shape: slices.Clone(t.Shape())}
		if r.known.Value[n.GetName()] {
			ti.Value = t
		}
		r.info[graph.TensorName{Node: n.GetName(), Output: k}.Canonical()] = ti
	}
}

// Info returns what was recorded, keyed by canonical tensor name.
func (r *Recorder) Info() map[string]TensorInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info
}
