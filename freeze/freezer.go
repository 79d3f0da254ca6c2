package freeze

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// freezer holds what every signature of one model shares: the library
// with its implementations chosen, the variables and their keys, the
// checkpoint and the values read from it.
type freezer struct {
	o      options
	model  *graph.Model
	start  time.Time
	lib    *tfpb.FunctionDefLibrary
	impls  map[string]string // function → the CPU implementation called instead
	fopts  []function.Option
	ckpt   *checkpoint.Reader
	vars   map[string]*Variable // by node name, pointing into report.Variables
	values map[string]*tfpb.TensorProto
	tables map[string]*frozenTable // by tableID
	report *Report
}

func newFreezer(m *graph.Model, o options) (*freezer, error) {
	f := &freezer{o: o, model: m, start: time.Now(), report: &Report{Model: m.Path}, values: map[string]*tfpb.TensorProto{}, tables: map[string]*frozenTable{}}
	f.lib, f.impls = selectImplementations(m.Graph.GetLibrary())
	if ops := m.MetaGraph.GetMetaInfoDef().GetStrippedOpList(); ops != nil {
		f.fopts = append(f.fopts, function.WithOpList(ops))
	}
	for _, n := range m.Graph.GetNode() {
		if graph.IsVariableOp(n.GetOp()) {
			f.report.Variables = append(f.report.Variables, Variable{Node: n.GetName(), Op: n.GetOp()})
		}
	}
	f.vars = make(map[string]*Variable, len(f.report.Variables))
	for i := range f.report.Variables {
		f.vars[f.report.Variables[i].Node] = &f.report.Variables[i]
	}
	if len(f.vars) == 0 {
		return f, nil
	}
	var err error
	if f.ckpt, f.report.Checkpoint, err = openCheckpoint(m, o); err != nil {
		return nil, err
	}
	if err := f.mapVariables(); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

func (f *freezer) close() {
	if f.ckpt != nil {
		f.ckpt.Close()
		f.ckpt = nil
	}
}

// tensorNames returns the names of a signature's outputs and inputs.
func tensorNames(s graph.Signature) (outputs, inputs []string) {
	for _, t := range s.Outputs {
		outputs = append(outputs, t.Name)
	}
	for _, t := range s.Inputs {
		inputs = append(inputs, t.Name)
	}
	return outputs, inputs
}

// prepare returns the graph a signature runs: the model's graph pruned to
// the signature's outputs (and inputs), deep-copied, the fed tensors in
// cut made placeholders, with every function call inlined. It refuses a
// signature that changes state.
func (f *freezer) prepare(s graph.Signature, cut []graph.TensorInfo) (*tfpb.GraphDef, error) {
	outputs, inputs := tensorNames(s)
	targets := append(slices.Clone(outputs), inputs...)
	src := &tfpb.GraphDef{Node: f.model.Graph.GetNode(), Library: f.lib, Versions: f.model.Graph.GetVersions()}
	g, err := graph.Prune(src, targets)
	if err != nil {
		return nil, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	for i, n := range g.Node {
		g.Node[i] = proto.CloneOf(n)
	}
	feedPlaceholders(g, cut)
	if g, err = graph.Prune(g, targets); err != nil {
		return nil, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	if err := f.inlineCalls(g); err != nil {
		return nil, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	if g, err = graph.Prune(g, targets); err != nil {
		return nil, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	for _, n := range g.GetNode() {
		if changesState(n.GetOp()) {
			return nil, &StatefulError{Signature: s.Key, Node: n.GetName(), Op: n.GetOp()}
		}
	}
	return g, nil
}

// check reports whether signature s can be frozen as far as its graph
// goes: calls inline and nothing changes state.
func (f *freezer) check(s graph.Signature) error {
	_, err := f.prepare(s, s.Inputs)
	return err
}

// inlineCalls inlines every function call of g, choosing CPU
// implementations first.
func (f *freezer) inlineCalls(g *tfpb.GraphDef) error {
	renameFunctions(g.GetNode(), f.impls)
	var calls []string
	for _, n := range g.GetNode() {
		if _, _, ok := function.Callee(n, f.lib); ok {
			calls = append(calls, n.GetName())
		}
	}
	for _, c := range calls {
		if err := function.Inline(g, f.lib, c, f.fopts...); err != nil {
			return err
		}
	}
	return nil
}

// freeze returns signature s frozen, with the fed tensors in cut made
// placeholders, and the number of variables it turned into constants.
func (f *freezer) freeze(s graph.Signature, cut []graph.TensorInfo) (*tfpb.GraphDef, int, error) {
	g, err := f.prepare(s, cut)
	if err != nil {
		return nil, 0, err
	}
	outputs, inputs := tensorNames(s)
	targets := append(slices.Clone(outputs), inputs...)
	if err := f.rewriteReads(g); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	if g, err = graph.Prune(g, targets); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	nvars, err := f.constantVariables(g)
	if err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	if err := f.freezeTables(g); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	sim := newSimplifier(g, outputs, inputs, f.o.foldRatio)
	if err := sim.run(); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	if g, err = graph.Prune(sim.graph(), targets); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	g.Library = usedFunctions(g.GetNode(), f.lib)
	if err := leftoverVariables(g); err != nil {
		return nil, 0, fmt.Errorf("signature %q: %w", s.Key, err)
	}
	return g, nvars, nil
}

// leftoverVariables refuses a frozen graph that still reads a variable:
// one whose handle comes from a node the freezer does not know as a
// variable (an unknown op, say), so it could not be mapped.
func leftoverVariables(g *tfpb.GraphDef) error {
	for _, n := range g.GetNode() {
		if op := n.GetOp(); graph.IsVariableOp(op) || op == "ReadVariableOp" || op == "ResourceGather" || op == "ResourceGatherNd" {
			return &VariableError{Variable: n.GetName(), Err: fmt.Errorf("%s still reads a variable after freezing: its handle comes from no variable the checkpoint maps", op)}
		}
	}
	return nil
}

// changesState reports ops that modify variables, resources or files:
// assignments, optimizer steps, scatter updates, table initialisation and
// savers.
func changesState(op string) bool {
	for _, p := range []string{"Assign", "Apply", "ResourceApply", "SparseApply", "ResourceSparseApply", "ResourceScatter"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return statefulOps[op]
}

var statefulOps = map[string]bool{
	"ScatterUpdate": true, "ScatterAdd": true, "ScatterSub": true, "ScatterMul": true, "ScatterDiv": true,
	"ScatterMin": true, "ScatterMax": true, "ScatterNdUpdate": true, "ScatterNdAdd": true, "ScatterNdSub": true,
	"ScatterNdMin": true, "ScatterNdMax": true, "CountUpTo": true, "ResourceCountUpTo": true,
	"StridedSliceAssign": true, "ResourceStridedSliceAssign": true, "DestroyResourceOp": true,
	"InitializeTable": true, "InitializeTableV2": true, "InitializeTableFromTextFile": true,
	"InitializeTableFromTextFileV2": true, "LookupTableImport": true, "LookupTableImportV2": true,
	"LookupTableInsert": true, "LookupTableInsertV2": true, "LookupTableRemoveV2": true,
	"Save": true, "SaveV2": true, "SaveSlices": true, "MergeV2Checkpoints": true, "WriteFile": true,
}

// usedFunctions returns the functions of lib that nodes refer to through
// function attributes (If, While and the like), with the functions those
// refer to, in library order; nil when there are none.
func usedFunctions(nodes []*tfpb.NodeDef, lib *tfpb.FunctionDefLibrary) *tfpb.FunctionDefLibrary {
	byName := map[string]*tfpb.FunctionDef{}
	for _, fd := range lib.GetFunction() {
		byName[fd.GetSignature().GetName()] = fd
	}
	used := map[string]bool{}
	var visit func(ns []*tfpb.NodeDef)
	visit = func(ns []*tfpb.NodeDef) {
		for _, n := range ns {
			for _, name := range calledFunctions(n, byName) {
				if !used[name] {
					used[name] = true
					visit(byName[name].GetNodeDef())
				}
			}
		}
	}
	visit(nodes)
	if len(used) == 0 {
		return nil
	}
	out := &tfpb.FunctionDefLibrary{}
	for _, fd := range lib.GetFunction() {
		if used[fd.GetSignature().GetName()] {
			out.Function = append(out.Function, fd)
		}
	}
	for _, gd := range lib.GetGradient() {
		if used[gd.GetFunctionName()] && used[gd.GetGradientFunc()] {
			out.Gradient = append(out.Gradient, gd)
		}
	}
	return out
}

// calledFunctions lists the library functions n names: its op, and
// function-valued attributes.
func calledFunctions(n *tfpb.NodeDef, byName map[string]*tfpb.FunctionDef) []string {
	var out []string
	if _, ok := byName[n.GetOp()]; ok {
		out = append(out, n.GetOp())
	}
	var fromAttr func(v *tfpb.AttrValue)
	fromAttr = func(v *tfpb.AttrValue) {
		fns := v.GetList().GetFunc()
		if fn := v.GetFunc(); fn != nil {
			fns = append(fns, fn)
		}
		for _, fn := range fns {
			if _, ok := byName[fn.GetName()]; ok {
				out = append(out, fn.GetName())
			}
			for _, k := range sortedKeys(fn.GetAttr()) {
				fromAttr(fn.GetAttr()[k])
			}
		}
	}
	for _, k := range sortedKeys(n.GetAttr()) {
		fromAttr(n.GetAttr()[k])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// feedPlaceholders makes every fed tensor that is not a placeholder one,
// as TensorFlow's session does when it rewrites a graph for its feeds:
// what computes a fed tensor never runs, so parsing a tf.Example in front
// of a predict signature's input goes. Only nodes whose other outputs
// nobody reads are replaced.
func feedPlaceholders(g *tfpb.GraphDef, inputs []graph.TensorInfo) {
	fed := map[string]graph.TensorInfo{}
	for _, in := range inputs {
		if tn, err := graph.ParseTensorName(in.Name); err == nil && tn.Output == 0 && in.DType != tensor.Invalid {
			fed[tn.Node] = in
		}
	}
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			if tn, err := graph.ParseTensorName(in); err == nil && !tn.Control && tn.Output > 0 {
				delete(fed, tn.Node)
			}
		}
	}
	for _, n := range g.GetNode() {
		info, ok := fed[n.GetName()]
		if !ok || n.GetOp() == "Placeholder" || n.GetOp() == "PlaceholderWithDefault" {
			continue
		}
		shape := graph.ShapeAttr(nil)
		if info.RankKnown {
			shape = graph.ShapeAttr(info.Shape)
			if shape == nil {
				shape = graph.ShapeAttr{}
			}
		}
		*n = *graph.NewNode(n.GetName(), "Placeholder", nil, map[string]any{"dtype": info.DType, "shape": shape})
	}
}
