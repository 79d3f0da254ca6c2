package tfexec

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// Executor runs one GraphDef with TensorFlow's semantics. It is safe for
// concurrent use: each Run keeps its own state, and the plans it prepares
// (one per set of feed names and fetches) are shared.
type Executor struct {
	graph   *tfpb.GraphDef
	index   *graph.Index
	kernels map[string]kernel.Factory
	workers int
	timer   NodeTimer
	// maxRunBytes is the run budget; 0 takes tensor.MaxRunBytes() at
	// each run.
	maxRunBytes int64
	// funcs runs the functions of the graph's library (functional.go).
	funcs *funcRuntime
	// modelDir and resources: what kernels keep between runs, shared with
	// the executors of the graph's functions (see WithModelFiles).
	modelDir  string
	files     kernel.FileAccess
	resources *kernel.Resources

	mu    sync.Mutex
	plans map[string]*planEntry
}

type planEntry struct {
	once sync.Once
	plan *plan
	err  error
}

// NodeTimer is told how long each kernel took; see WithNodeTimer.
type NodeTimer func(node *tfpb.NodeDef, d time.Duration)

// Option configures an Executor.
type Option func(*Executor)

// WithKernel makes f the kernel factory for op in this executor only,
// overriding the registry. The bridge uses it for its cluster op. A nil f
// is ignored.
func WithKernel(op string, f kernel.Factory) Option {
	return func(e *Executor) {
		if f != nil {
			e.kernels[op] = f
		}
	}
}

// WithInterOpThreads bounds how many nodes run at once (default
// GOMAXPROCS). Kernels may use more goroutines internally.
func WithInterOpThreads(n int) Option {
	return func(e *Executor) {
		if n > 0 {
			e.workers = n
		}
	}
}

// WithNodeTimer calls t after each kernel runs, from the goroutine that
// ran it; t must be safe for concurrent use. Control-flow nodes, which run
// no kernel, are not timed.
func WithNodeTimer(t NodeTimer) Option {
	return func(e *Executor) { e.timer = t }
}

// WithMaxRunBytes bounds the bytes of the tensors one run holds at once
// (kernel outputs waiting to be consumed, loop invariants, results),
// overriding tensor.MaxRunBytes for this executor; n ≤ 0 keeps it. A run
// that goes over fails with a *tensor.TooLargeError (Budget RunBudget)
// naming the node whose output did. Tensors under 4 KiB are not counted,
// and a view of a tensor (a Reshape) counts once with its source.
func WithMaxRunBytes(n int64) Option {
	return func(e *Executor) { e.maxRunBytes = max(n, 0) }
}

// WithModelFiles lets kernels read the files of the model in dir, such as
// the vocabulary file InitializeTableFromTextFileV2 names (a SavedModel's
// assets/ file, named relative to dir), through graph.OpenModelFile's
// rules. Without it, a kernel that reads a file fails: the file names a
// graph holds are untrusted input.
func WithModelFiles(dir string) Option {
	return func(e *Executor) { e.modelDir = dir }
}

// WithFileAccess sets which files the graph's kernels may read at the
// paths it gives at run time (ReadFile's filename). The default allows
// none: a graph may come from anyone, and a path it holds or is fed must
// not reach the rest of the file system; see kernel.FileAccess.
func WithFileAccess(a kernel.FileAccess) Option {
	return func(e *Executor) { e.files = a }
}

// New returns an executor for g. It indexes the graph (duplicate names and
// malformed inputs are errors) but prepares no kernels: see Prepare. It
// also checks the memory budget's environment variables
// (TFOFFLOAD_MAX_TENSOR_BYTES, TFOFFLOAD_MAX_RUN_BYTES; package tensor
// applies them): a malformed value is an error. A nil g is an empty
// graph, as protobuf reads a nil message; nil options are ignored.
func New(g *tfpb.GraphDef, opts ...Option) (*Executor, error) {
	if _, err := envconfig.LoadMemory(); err != nil {
		return nil, err
	}
	ix, err := graph.NewIndex(g)
	if err != nil {
		return nil, err
	}
	e := &Executor{graph: g, index: ix, kernels: map[string]kernel.Factory{}, workers: runtime.GOMAXPROCS(0), plans: map[string]*planEntry{}}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	e.resources = kernel.NewResources(e.modelDir, e.files)
	e.funcs = newFuncRuntime(e)
	return e, nil
}

// Graph returns the graph the executor runs (nil for a nil or zero
// Executor).
func (e *Executor) Graph() *tfpb.GraphDef {
	if e == nil {
		return nil
	}
	return e.graph
}

// usable reports an Executor that New did not build.
func (e *Executor) usable() error {
	if e == nil || e.index == nil {
		return fmt.Errorf("%w: use an Executor built by New", ErrNoGraph)
	}
	return nil
}

func (e *Executor) factory(op string) (kernel.Factory, bool) {
	if f, ok := e.kernels[op]; ok {
		return f, true
	}
	if f, ok := e.funcs.factory(op); ok {
		return f, true
	}
	return kernel.Lookup(op)
}

// Supported reports whether the executor has a kernel (or built-in
// handling) for op. Functional ops (If, While, Case, PartitionedCall, …)
// are supported; whether the functions they call can run is known when a
// plan is prepared.
func (e *Executor) Supported(op string) bool {
	if graph.ControlFlowKind(op) != "" || graph.FunctionalKind(op) != "" {
		return true
	}
	if e == nil {
		_, ok := kernel.Lookup(op)
		return ok
	}
	_, ok := e.factory(op)
	return ok
}

// Prepare builds and caches the plan for running fetches with the given
// tensors fed: it prunes the graph, checks that every op left has a
// kernel (an *UnsupportedOpsError lists all that do not), that every
// placeholder left is fed, and sets up each kernel, so attribute errors
// surface before any run.
func (e *Executor) Prepare(feeds, fetches []string) error {
	if err := e.usable(); err != nil {
		return err
	}
	_, err := e.planFor(feeds, fetches)
	return err
}

func (e *Executor) planFor(feeds, fetches []string) (*plan, error) {
	canon := make([]string, len(feeds))
	for i, f := range feeds {
		if t, err := graph.ParseTensorName(f); err == nil {
			canon[i] = t.Canonical()
		} else {
			canon[i] = f
		}
	}
	slices.Sort(canon)
	key := strings.Join(canon, "\x00") + "\x01" + strings.Join(fetches, "\x00")
	e.mu.Lock()
	pe, ok := e.plans[key]
	if !ok {
		pe = &planEntry{}
		e.plans[key] = pe
	}
	e.mu.Unlock()
	pe.once.Do(func() { pe.plan, pe.err = e.buildPlan(feeds, fetches, nil) })
	return pe.plan, pe.err
}

// Observer is told each kernel's outputs as the run produces them, from
// the goroutine that ran the kernel; it must be safe for concurrent use
// and must not modify the tensors.
type Observer func(node *tfpb.NodeDef, outputs []*tensor.Tensor)

// RunOption configures one Run.
type RunOption func(*runConfig)

type runConfig struct {
	observer Observer
	stats    *RunStats
}

// WithObserver calls o after each kernel of the run.
func WithObserver(o Observer) RunOption { return func(c *runConfig) { c.observer = o } }

// RunStats describes one run; see WithRunStats.
type RunStats struct {
	// PeakBytes is the most bytes of tensors the run held at once, as
	// the run budget counts them (see WithMaxRunBytes).
	PeakBytes int64
}

// WithRunStats fills s when the run ends, successful or not.
func WithRunStats(s *RunStats) RunOption { return func(c *runConfig) { c.stats = s } }

// Run feeds the given tensors (keyed by tensor name, "x" or "x:0"),
// computes the fetches and returns them in order. Cancelling ctx stops the
// run between kernels and is passed to the kernels themselves. A nil ctx
// is an error wrapping ErrNilContext, as net/http treats one, rather than
// a panic; nil options are ignored.
//
// Every tensor a kernel allocates is bounded by tensor.MaxTensorBytes,
// checked before allocating, and the tensors the run holds at once by the
// run budget (WithMaxRunBytes); going over either is a *NodeError wrapping
// a *tensor.TooLargeError, and the executor stays usable.
func (e *Executor) Run(ctx context.Context, feeds map[string]*tensor.Tensor, fetches []string, opts ...RunOption) ([]*tensor.Tensor, error) {
	if err := e.usable(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, ErrNilContext
	}
	var cfg runConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	names := make([]string, 0, len(feeds))
	for name := range feeds {
		names = append(names, name)
	}
	p, err := e.planFor(names, fetches)
	if err != nil {
		return nil, err
	}
	vals := make([]*tensor.Tensor, len(p.feeds))
	for name, t := range feeds {
		tn, _ := graph.ParseTensorName(name)
		i, _ := slices.BinarySearch(p.feeds, tn.Canonical())
		if err := p.feedInfo[i].check(t); err != nil {
			return nil, err
		}
		vals[i] = t
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := e.maxRunBytes
	if limit == 0 {
		limit = tensor.MaxRunBytes()
	}
	r := newRun(ctx, e, p, vals, limit)
	r.observer = cfg.observer
	out, err := r.execute()
	if cfg.stats != nil {
		cfg.stats.PeakBytes = r.budget.peak
	}
	return out, err
}

// String describes the executor for logs.
func (e *Executor) String() string {
	if e == nil {
		return "tfexec.Executor(nil)"
	}
	return fmt.Sprintf("tfexec.Executor(%d nodes)", len(e.graph.GetNode()))
}
