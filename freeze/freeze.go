package freeze

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// ErrNoCheckpoint reports a model with variables but no checkpoint to
// read their values from.
var ErrNoCheckpoint = errors.New("freeze: the model has variables but no checkpoint")

// ErrNoSignature reports a requested signature the model does not have,
// or a model with neither signatures nor outputs named by WithOutputs.
var ErrNoSignature = errors.New("freeze: no such signature")

// ErrNothingFrozen reports that no signature could be frozen; it is
// joined with each signature's reason.
var ErrNothingFrozen = errors.New("freeze: no signature could be frozen")

// ErrUnmapped is wrapped by a VariableError for a variable that no saver,
// object graph or name maps to a checkpoint key.
var ErrUnmapped = errors.New("no checkpoint key restores it")

// StatefulError refuses a signature that changes state: running it would
// assign a variable, apply a training step or update a table, which a
// frozen graph cannot do.
type StatefulError struct {
	// Signature is the signature's key ("" for WithOutputs).
	Signature string
	// Node and Op name the first node, in graph order, that changes state.
	Node, Op string
}

// Error returns `signature "K" changes state: node "N" (Op) ...`.
func (e *StatefulError) Error() string {
	return fmt.Sprintf("signature %q changes state: node %q (%s) modifies a variable or resource, so it cannot be frozen", e.Signature, e.Node, e.Op)
}

// VariableError reports a variable whose value cannot be had: no
// checkpoint key maps to it, or the checkpoint's tensor does not fit it.
type VariableError struct {
	// Variable is the variable's node; Key its checkpoint key, if any.
	Variable, Key string
	Err           error
}

// Error names the variable and the key.
func (e *VariableError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("variable %q: %v", e.Variable, e.Err)
	}
	return fmt.Sprintf("variable %q (checkpoint key %q): %v", e.Variable, e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *VariableError) Unwrap() error { return e.Err }

// nothingFrozenError joins the reasons no signature could be frozen.
type nothingFrozenError struct{ errs []error }

func (e *nothingFrozenError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return ErrNothingFrozen.Error() + ": " + strings.Join(msgs, "; ")
}

func (e *nothingFrozenError) Unwrap() []error { return append([]error{ErrNothingFrozen}, e.errs...) }

// Option configures a freeze.
type Option func(*options)

type options struct {
	tags       []string
	signatures []string
	outputs    []string
	checkpoint string
	foldRatio  int
}

// WithTags chooses a SavedModel's MetaGraphDef by tag set (default:
// serve), as graph.WithTags does.
func WithTags(tags ...string) Option {
	return func(o *options) { o.tags = append([]string{}, tags...) }
}

// WithSignatures freezes only the named signatures (default: every
// signature but TF2's __saved_model_init_op).
func WithSignatures(keys ...string) Option {
	return func(o *options) { o.signatures = append(o.signatures, keys...) }
}

// WithOutputs freezes for the named tensors or nodes instead of the
// signatures: one frozen graph, under the signature key "", whose inputs
// are the placeholders the outputs need. A MetaGraph without signatures
// (a TF1 checkpoint's .meta file) needs it.
func WithOutputs(tensors ...string) Option {
	return func(o *options) { o.outputs = append(o.outputs, tensors...) }
}

// WithCheckpoint reads the variables from the checkpoint at path (any form
// checkpoint.Open accepts) instead of the model's own.
func WithCheckpoint(path string) Option { return func(o *options) { o.checkpoint = path } }

// WithFoldRatio bounds constant folding: a node is folded only when its
// outputs take at most ratio times the bytes of its inputs (or at most
// SmallConstBytes). The default is DefaultFoldRatio; 0 turns folding off.
func WithFoldRatio(ratio int) Option { return func(o *options) { o.foldRatio = ratio } }

// DefaultFoldRatio is the folding bound of WithFoldRatio: large enough for
// shape arithmetic and transposed weights, small enough that a Fill or
// Tile of a few bytes does not become megabytes of constants.
const DefaultFoldRatio = 16

// SmallConstBytes is the size up to which a folded constant is always
// kept, whatever its inputs' size (shape vectors, scalars, ranges).
const SmallConstBytes = 64

func newOptions(opts []Option) options {
	o := options{foldRatio: DefaultFoldRatio}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Signature is one frozen signature.
type Signature struct {
	// Signature is the key, method and tensors, as in the model; the
	// tensor names are valid in Graph.
	graph.Signature
	// Graph is the frozen graph: no variables, function calls inlined,
	// pruned to the signature. Its library keeps only the functions that
	// functional control flow (If, While) still refers to.
	Graph *tfpb.GraphDef
}

// Result is what SavedModel and Checkpoint return.
type Result struct {
	// Signatures are the frozen signatures, sorted by key.
	Signatures []Signature
	// Report says what was found and done.
	Report *Report
}

// Signature returns the frozen signature key, or nil.
func (r *Result) Signature(key string) *Signature {
	for i := range r.Signatures {
		if r.Signatures[i].Key == key {
			return &r.Signatures[i]
		}
	}
	return nil
}

// Report describes a freeze: the variables and their checkpoint keys, and
// what happened to each signature.
type Report struct {
	// Model is the model's path; Checkpoint the checkpoint prefix read
	// ("" when the model has no variables).
	Model, Checkpoint string
	// Variables lists the model's variable nodes in graph order.
	Variables []Variable
	// Tables lists the lookup tables the frozen signatures read, made
	// constant, sorted by node.
	Tables []Table
	// Signatures lists every signature considered, sorted by key.
	Signatures []SignatureStatus
	// Duration is the time the freeze took.
	Duration time.Duration
}

// Variable is one variable node and where its value comes from.
type Variable struct {
	// Node is the variable's node (VariableV2, VarHandleOp, ...); Op its op.
	Node, Op string
	// Key is the checkpoint key of its value, "" when unmapped.
	Key string
	// Slice is the shape_and_slice spec of a partitioned variable's part
	// ("10 20 0,5:-"), "" for a whole tensor.
	Slice string
	// Source says how the key was found: "restore graph" (the saver's
	// restore op or another saver's), "object graph" (TF2's
	// SavedObjectGraph and the checkpoint's TrackableObjectGraph), or
	// "name" (the key is the variable's name).
	Source string
	// DType and Shape are the checkpoint tensor's, when mapped.
	DType tensor.DType
	Shape tensor.Shape
}

// SignatureStatus is the outcome for one signature.
type SignatureStatus struct {
	// Key is the signature's key.
	Key string
	// Frozen reports success; Err says why not (a *StatefulError, a
	// *VariableError, ...).
	Frozen bool
	Err    error
	// Nodes is the number of nodes in the frozen graph; Variables the
	// number of variables it turned into constants.
	Nodes, Variables int
}

// Mapped returns the number of variables with a checkpoint key.
func (r *Report) Mapped() int {
	n := 0
	for _, v := range r.Variables {
		if v.Key != "" {
			n++
		}
	}
	return n
}

// String formats the report for people, one fact per line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "variables: %d, %d mapped to checkpoint keys", len(r.Variables), r.Mapped())
	if r.Checkpoint != "" {
		fmt.Fprintf(&b, " (%s)", r.Checkpoint)
	}
	b.WriteByte('\n')
	for _, v := range r.Variables {
		if v.Key == "" {
			fmt.Fprintf(&b, "  %s (%s): unmapped\n", v.Node, v.Op)
			continue
		}
		key := v.Key
		if v.Slice != "" {
			key += " [" + v.Slice + "]"
		}
		fmt.Fprintf(&b, "  %s (%s) <- %s %s%v, by %s\n", v.Node, v.Op, key, graph.DTypeName(v.DType), v.Shape, v.Source)
	}
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "table %s (%s): %s to %s, %d entries, from %s\n", t.Node, t.Op, graph.DTypeName(t.KeyDType), graph.DTypeName(t.ValueDType), t.Size, strings.Join(t.Initializers, ", "))
	}
	for _, s := range r.Signatures {
		if s.Frozen {
			fmt.Fprintf(&b, "signature %q: frozen, %d nodes, %d variables as constants\n", s.Key, s.Nodes, s.Variables)
		} else {
			fmt.Fprintf(&b, "signature %q: not frozen: %v\n", s.Key, s.Err)
		}
	}
	return b.String()
}

// SavedModel freezes the SavedModel in dir (or a .meta file next to its
// checkpoint, or any model graph.Load reads): one frozen graph per
// signature. Signatures that cannot be frozen are left out and listed in
// the report with their reason; the error is non-nil only when none can
// be, or the model or checkpoint cannot be read.
func SavedModel(dir string, opts ...Option) (*Result, error) {
	o := newOptions(opts)
	var lopts []graph.Option
	if o.tags != nil {
		lopts = append(lopts, graph.WithTags(o.tags...))
	}
	m, err := graph.Load(dir, lopts...)
	if err != nil {
		return nil, err
	}
	return freezeModel(m, o)
}

// Signatures is SavedModel for a model already loaded (WithTags does not
// apply).
func Signatures(m *graph.Model, opts ...Option) (*Result, error) {
	return freezeModel(m, newOptions(opts))
}

// Checkpoint freezes a TF1 MetaGraph file (model.ckpt.meta) with the
// variables of the checkpoint at ckptPath ("" for the one next to the
// .meta file). Such a MetaGraph rarely has signatures: name the outputs
// with WithOutputs.
func Checkpoint(metaPath, ckptPath string, opts ...Option) (*Result, error) {
	if ckptPath != "" {
		opts = append(opts, WithCheckpoint(ckptPath))
	}
	return SavedModel(metaPath, opts...)
}

// Model returns a variable-free copy of m that runs every signature that
// can be frozen, in one graph, and the report. The copy's Signatures are
// the frozen ones; MetaGraph is nil, since the graph no longer matches it.
func Model(m *graph.Model, opts ...Option) (*graph.Model, *Report, error) {
	o := newOptions(opts)
	f, err := newFreezer(m, o)
	if err != nil {
		return nil, nil, err
	}
	defer f.close()
	sigs, err := f.targets()
	if err != nil {
		return nil, f.report, err
	}
	var ok []graph.Signature
	var errs []error
	for _, s := range sigs {
		st := SignatureStatus{Key: s.Key}
		if st.Err = f.check(s); st.Err == nil {
			ok = append(ok, s)
		} else {
			errs = append(errs, st.Err)
		}
		f.report.Signatures = append(f.report.Signatures, st)
	}
	if len(ok) == 0 {
		return nil, f.report, &nothingFrozenError{errs}
	}
	g, nvars, err := f.freeze(f.union(ok))
	if err != nil {
		// Find the signatures that fail alone, and serve the others.
		ok, errs = f.freezable(ok, errs)
		if len(ok) == 0 {
			return nil, f.report, &nothingFrozenError{errs}
		}
		if g, nvars, err = f.freeze(f.union(ok)); err != nil {
			return nil, f.report, err
		}
	}
	for i := range f.report.Signatures {
		st := &f.report.Signatures[i]
		if st.Err == nil {
			st.Frozen, st.Nodes, st.Variables = true, len(g.GetNode()), nvars
		}
	}
	out := *m
	out.Graph = g
	out.MetaGraph = nil
	out.Variables = nil
	out.Signatures = ok
	out.WeightBytes = graph.ConstBytes(g)
	f.report.Duration = time.Since(f.start)
	return &out, f.report, nil
}

// freezable freezes each of sigs alone and returns those that freeze,
// recording why the others do not in the report and in errs.
func (f *freezer) freezable(sigs []graph.Signature, errs []error) ([]graph.Signature, []error) {
	var ok []graph.Signature
	for _, s := range sigs {
		_, _, err := f.freeze(s, s.Inputs)
		if err == nil {
			ok = append(ok, s)
			continue
		}
		errs = append(errs, err)
		for i := range f.report.Signatures {
			if f.report.Signatures[i].Key == s.Key {
				f.report.Signatures[i].Err = err
			}
		}
	}
	return ok, errs
}

// union returns one pseudo-signature with the inputs and outputs of all
// sigs, and the fed tensors that may become placeholders in it: those
// that no other signature computes. (TF1 half_plus_two feeds x to one
// signature and computes it from a tf.Example in another.)
func (f *freezer) union(sigs []graph.Signature) (graph.Signature, []graph.TensorInfo) {
	var u graph.Signature
	reach := make([]map[string]bool, len(sigs))
	for i, s := range sigs {
		u.Inputs = append(u.Inputs, s.Inputs...)
		u.Outputs = append(u.Outputs, s.Outputs...)
		outputs, inputs := tensorNames(s)
		reach[i] = map[string]bool{}
		if g, err := graph.Prune(&tfpb.GraphDef{Node: f.model.Graph.GetNode()}, append(outputs, inputs...)); err == nil {
			for _, n := range g.GetNode() {
				reach[i][n.GetName()] = true
			}
		}
	}
	var cut []graph.TensorInfo
	for i, s := range sigs {
		for _, in := range s.Inputs {
			tn, err := graph.ParseTensorName(in.Name)
			if err != nil {
				continue
			}
			computed := false
			for j, t := range sigs {
				if j != i && reach[j][tn.Node] && !slices.ContainsFunc(t.Inputs, func(x graph.TensorInfo) bool { return x.Name == in.Name }) {
					computed = true
				}
			}
			if !computed {
				cut = append(cut, in)
			}
		}
	}
	return u, cut
}

func freezeModel(m *graph.Model, o options) (*Result, error) {
	f, err := newFreezer(m, o)
	if err != nil {
		return nil, err
	}
	defer f.close()
	sigs, err := f.targets()
	if err != nil {
		return nil, err
	}
	res := &Result{Report: f.report}
	var errs []error
	for _, s := range sigs {
		st := SignatureStatus{Key: s.Key}
		var g *tfpb.GraphDef
		if st.Err = f.check(s); st.Err == nil {
			g, st.Variables, st.Err = f.freeze(s, s.Inputs)
		}
		if st.Err != nil {
			errs = append(errs, st.Err)
		} else {
			st.Frozen, st.Nodes = true, len(g.GetNode())
			res.Signatures = append(res.Signatures, Signature{Signature: s, Graph: g})
		}
		f.report.Signatures = append(f.report.Signatures, st)
	}
	f.report.Duration = time.Since(f.start)
	if len(res.Signatures) == 0 {
		return res, &nothingFrozenError{errs}
	}
	return res, nil
}

// initOpSignature is TF2's pseudo-signature naming the init op.
const initOpSignature = "__saved_model_init_op"

// targets returns the signatures to freeze, sorted by key.
func (f *freezer) targets() ([]graph.Signature, error) {
	if len(f.o.outputs) > 0 {
		s := graph.Signature{}
		for _, o := range f.o.outputs {
			s.Outputs = append(s.Outputs, graph.TensorInfo{Name: o})
		}
		return []graph.Signature{s}, nil
	}
	var out []graph.Signature
	if len(f.o.signatures) > 0 {
		for _, k := range f.o.signatures {
			s := f.model.Signature(k)
			if s == nil {
				return nil, fmt.Errorf("%w %q in %s (it has %s)", ErrNoSignature, k, f.model.Path, strings.Join(f.signatureKeys(), ", "))
			}
			out = append(out, *s)
		}
		slices.SortFunc(out, func(a, b graph.Signature) int { return strings.Compare(a.Key, b.Key) })
		return out, nil
	}
	for _, s := range f.model.Signatures {
		if s.Key != initOpSignature {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s has no signatures; name the outputs to freeze for", ErrNoSignature, f.model.Path)
	}
	return out, nil
}

func (f *freezer) signatureKeys() []string {
	var keys []string
	for _, s := range f.model.Signatures {
		if s.Key != initOpSignature {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) == 0 {
		return []string{"no signatures"}
	}
	return keys
}

// openCheckpoint opens the checkpoint a model's variables restore from.
func openCheckpoint(m *graph.Model, o options) (*checkpoint.Reader, string, error) {
	path := o.checkpoint
	if path == "" {
		path = m.CheckpointPrefix
	}
	if path == "" {
		return nil, "", fmt.Errorf("%w: %s has %d variable(s) (%s) and no variables/ checkpoint", ErrNoCheckpoint, m.Path, len(m.Variables), m.Variables[0])
	}
	r, err := checkpoint.Open(path)
	if err != nil {
		return nil, "", err
	}
	return r, path, nil
}
