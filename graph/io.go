package graph

import (
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// placeholderOps are the ops that take a value from outside the graph.
var placeholderOps = map[string]bool{"Placeholder": true, "PlaceholderV2": true}

// notOutputs are sink ops that produce nothing a caller would fetch.
var notOutputs = map[string]bool{
	"NoOp": true, "Const": true, "Placeholder": true, "PlaceholderWithDefault": true,
	"Assert": true, "SaveV2": true, "Save": true, "RestoreV2": true, "Restore": true,
	"MergeV2Checkpoints": true, "VariableV2": true, "Variable": true, "VarHandleOp": true,
	"VarIsInitializedOp": true, "Assign": true, "AssignVariableOp": true, "ShardedFilename": true,
	"StringJoin": true, "PrintV2": true,
}

// Inputs returns the graph's placeholders in graph order, with the dtype and
// shape their attributes declare.
func Inputs(g *tfpb.GraphDef) []TensorInfo {
	var out []TensorInfo
	for _, n := range g.GetNode() {
		if placeholderOps[n.GetOp()] {
			out = append(out, nodeOutputInfo(n))
		}
	}
	return out
}

// Sinks returns output 0 of every node nothing else consumes, skipping
// constants, placeholders, no-ops and checkpoint machinery: the usual
// outputs of a frozen graph that carries no signature.
func Sinks(g *tfpb.GraphDef) []TensorInfo {
	used := map[string]bool{}
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			if t, err := ParseTensorName(in); err == nil {
				used[t.Node] = true
			}
		}
	}
	var out []TensorInfo
	for _, n := range g.GetNode() {
		if !used[n.GetName()] && !notOutputs[n.GetOp()] {
			out = append(out, nodeOutputInfo(n))
		}
	}
	return out
}

// nodeOutputInfo describes output 0 of n from its attributes: "dtype",
// "T" and the other usual type attributes, and "shape" or "_output_shapes".
func nodeOutputInfo(n *tfpb.NodeDef) TensorInfo {
	a := AttrsOf(n)
	info := TensorInfo{Name: TensorName{Node: n.GetName()}.Canonical()}
	for _, attr := range []string{"dtype", "T", "out_type", "DstT", "output_type", "Tout", "type"} {
		if dt, err := a.Type(attr, tensor.Invalid); err == nil && dt != tensor.Invalid {
			info.DType = dt
			break
		}
		// Multi-output ops (StatefulPartitionedCall, IdentityN) list their
		// output types; output 0 has the first.
		if dts, err := a.Types(attr, nil); err == nil && len(dts) > 0 {
			info.DType = dts[0]
			break
		}
	}
	if dims, known, err := a.Shape("shape"); err == nil && known {
		info.Shape, info.RankKnown = dims, true
	} else if l, ok, _ := a.list("_output_shapes"); ok && len(l.GetShape()) > 0 {
		info.Shape, info.RankKnown = ShapeDims(l.GetShape()[0])
	}
	return info
}

// Inputs returns the model's inputs: those of its default signature and
// the placeholders it misses, else the graph's placeholders. See InputsOf.
func (m *Model) Inputs() []TensorInfo { return m.InputsOf(m.DefaultSignature()) }

// Outputs returns the model's outputs: those of its default signature
// ("serving_default", or its only signature), else the graph's sinks. See
// OutputsOf.
func (m *Model) Outputs() []TensorInfo { return m.OutputsOf(m.DefaultSignature()) }

// InputsOf returns what must be fed to compute sig's outputs: the inputs
// sig lists (a signature knows the shapes the exporter promised, which may
// be more precise than the placeholder's), then, in graph order, every
// placeholder that sig's outputs still depend on when those inputs are
// fed and that sig does not list, with the dtype and shape its attributes
// declare. Signatures that list only outputs are common (TensorFlow.js
// converters write them), and an unlisted placeholder must still be fed.
// With a nil sig, or one whose outputs are not all in the graph, every
// placeholder sig does not list counts. It is the one answer to "what
// does this model take" for inspect, run, bench, convert and the bridge.
func (m *Model) InputsOf(sig *Signature) []TensorInfo {
	var listed []TensorInfo
	var targets []string
	fed := map[string]bool{}
	if sig != nil {
		listed = sig.Inputs
		for _, in := range listed {
			fed[in.Name] = true
		}
		for _, o := range sig.Outputs {
			targets = append(targets, o.Name)
		}
	}
	needed := func(int) bool { return true }
	if len(targets) > 0 {
		if ix, err := NewIndex(m.Graph); err == nil {
			if keep, err := ix.reachableFed(targets, fed); err == nil {
				needed = func(i int) bool { return keep[i] }
			}
		}
	}
	out := slices.Clone(listed)
	for i, n := range m.Graph.GetNode() {
		if !placeholderOps[n.GetOp()] || !needed(i) {
			continue
		}
		info := nodeOutputInfo(n)
		if !slices.ContainsFunc(listed, func(l TensorInfo) bool { return l.Name == info.Name }) {
			out = append(out, info)
		}
	}
	return out
}

// OutputsOf returns sig's outputs, or the graph's sinks when sig is nil
// or lists none.
func (m *Model) OutputsOf(sig *Signature) []TensorInfo {
	if sig != nil && len(sig.Outputs) > 0 {
		return sig.Outputs
	}
	return Sinks(m.Graph)
}

// FindTensor returns the entry of infos that name names: the one whose
// signature key is name, else the one whose tensor is name ("x" and "x:0"
// both name "x:0"). found is false when none does; err reports a name
// that is neither a key of infos nor a tensor name.
func FindTensor(infos []TensorInfo, name string) (info TensorInfo, found bool, err error) {
	for _, in := range infos {
		if in.Key != "" && in.Key == name {
			return in, true, nil
		}
	}
	t, err := ParseTensorName(name)
	if err != nil || t.Control {
		return TensorInfo{}, false, fmt.Errorf("%q is neither a signature key nor a tensor name", name)
	}
	for _, in := range infos {
		if in.Name == t.Canonical() {
			return in, true, nil
		}
	}
	return TensorInfo{}, false, nil
}

// MatchDType checks a value read from a file against the dtype of the
// input it feeds (want; Invalid when unknown), widening the one mismatch
// the CLI and tfbeam allow: float32 for a bfloat16 input, since .npy has
// no bfloat16.
func MatchDType(t *tensor.Tensor, want tensor.DType) (*tensor.Tensor, error) {
	if want == tensor.Invalid || t.DType() == want {
		return t, nil
	}
	if want == tensor.BFloat16 && t.DType() == tensor.Float32 {
		vals, _ := tensor.Float64s(t)
		return tensor.FromFloat64s(tensor.BFloat16, t.Shape(), vals)
	}
	return nil, fmt.Errorf("the input is %v, the file holds %v", want, t.DType())
}

// initOpSignature is the pseudo-signature TF2 SavedModels use to name
// their initialization op; it is never a model's entry point.
const initOpSignature = "__saved_model_init_op"

// DefaultSignature returns "serving_default", or else the only signature
// (not counting "__saved_model_init_op"), or nil. The result points into
// m.Signatures.
func (m *Model) DefaultSignature() *Signature {
	if s := m.Signature("serving_default"); s != nil {
		return s
	}
	var only *Signature
	for i := range m.Signatures {
		if m.Signatures[i].Key == initOpSignature {
			continue
		}
		if only != nil {
			return nil
		}
		only = &m.Signatures[i]
	}
	return only
}
