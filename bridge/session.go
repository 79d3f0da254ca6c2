package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/multierr"

	"github.com/tfoffload/tfoffload/backends"
	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/freeze"
	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/offload"
	"github.com/tfoffload/tfoffload/partition"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// ErrNeedsFreeze reports a model that still holds variables and could not
// be frozen (variables turned into constants) on load; the error it
// wraps says why.
var ErrNeedsFreeze = errors.New("bridge: the model holds variables and could not be frozen")

// ErrOffload is wrapped by errors of offloaded clusters when dynamic
// fallback is off.
var ErrOffload = offload.ErrOffload

// ErrNoSession reports use of a nil or zero Session, or a nil model.
var ErrNoSession = errors.New("bridge: no session (create one with LoadSession or NewSession)")

// ErrClosed reports use of a closed session.
var ErrClosed = errors.New("bridge: session is closed")

// Option configures one session, overriding package settings and the
// environment.
type Option func(*config)

type config struct {
	backend         *string
	enabled         *bool
	disabledOps     *[]string
	minNontrivial   *int
	maxClusters     *int
	dynamicFallback *bool
	cacheSize       *int
	dumpDir         *string
	logPlacement    *bool
	outputs         []string
	tags            []string
	engine          engine.SessionOptions
	requests        *int
	logger          *slog.Logger
	precision       *quantize.Plan
	rewrite         func(int, *onnxpb.ModelProto) error
	tap             func(int, []*tensor.Tensor)
	readDirs        []string
	readAny         bool
}

// WithBackend offloads to the named backend instead of the package's.
func WithBackend(name string) Option { return func(c *config) { c.backend = &name } }

// WithOffload turns offloading on or off for this session; off runs
// everything on the Go executor.
func WithOffload(on bool) Option { return func(c *config) { c.enabled = &on } }

// WithDisabledOps keeps the given op types on the executor.
func WithDisabledOps(ops ...string) Option {
	return func(c *config) { o := slices.Clone(ops); c.disabledOps = &o }
}

// WithMinNontrivialNodes sets the minimum cluster size, overriding
// TFOFFLOAD_MIN_NONTRIVIAL_NODES and the default formula.
func WithMinNontrivialNodes(n int) Option { return func(c *config) { c.minNontrivial = &n } }

// WithMaxClusters keeps only the n largest clusters (0: all).
func WithMaxClusters(n int) Option { return func(c *config) { c.maxClusters = &n } }

// WithDynamicFallback chooses whether a cluster the engine fails on runs
// on the executor (true, the default) or fails the run.
func WithDynamicFallback(on bool) Option { return func(c *config) { c.dynamicFallback = &on } }

// WithCacheSize sets how many compiled sessions each cluster keeps.
func WithCacheSize(n int) Option { return func(c *config) { c.cacheSize = &n } }

// WithDumpDir writes the plan and each compiled cluster model into dir.
func WithDumpDir(dir string) Option { return func(c *config) { c.dumpDir = &dir } }

// WithLogPlacement logs the clusters and why each other node stayed on
// the executor.
func WithLogPlacement(on bool) Option { return func(c *config) { c.logPlacement = &on } }

// ErrFileAccess is wrapped by the error of a run whose ReadFile node was
// refused its path: see WithFileAccess.
var ErrFileAccess = kernel.ErrFileAccess

// WithFileAccess lets the graph's ReadFile nodes read the files inside
// dirs besides the model's own folder (graph.Model.Dir), which is all they
// may read by default: a downloaded model is untrusted input, and a path
// it holds or is fed ("/etc/passwd" sent to a served model) must not reach
// the rest of the file system. The directories are checked as
// graph.OpenModelFile checks the model's own files: a path with a ".."
// element is refused, and after its symbolic links are followed the file
// must still lie inside. A model without a folder (built in code) reads
// only inside dirs. A refused read fails the run with ErrFileAccess.
func WithFileAccess(dirs ...string) Option {
	return func(c *config) { c.readDirs = append(c.readDirs, dirs...) }
}

// WithAnyFileAccess lets the graph's ReadFile nodes read any file the
// process can, as TensorFlow does: for graphs the program built itself
// (package compat/tf passes it), never for models from strangers.
func WithAnyFileAccess() Option { return func(c *config) { c.readAny = true } }

// fileAccess is what the session's ReadFile nodes may read: see
// WithFileAccess.
func (c *config) fileAccess(m *graph.Model) tfexec.Option {
	a := kernel.FileAccess{Any: c.readAny}
	if m.Dir != "" {
		a.Dirs = append(a.Dirs, m.Dir)
	}
	a.Dirs = append(a.Dirs, c.readDirs...)
	return tfexec.WithFileAccess(a)
}

// WithOutputs names tensors, besides the model's outputs, that Run will
// fetch, so they stay visible after clustering. A model with variables
// but no signatures (a TF1 checkpoint's .meta file) is frozen for them.
func WithOutputs(tensors ...string) Option {
	return func(c *config) { c.outputs = append(c.outputs, tensors...) }
}

// WithTags chooses a SavedModel's MetaGraphDef by tag set (LoadSession).
func WithTags(tags ...string) Option { return func(c *config) { c.tags = slices.Clone(tags) } }

// WithEngineOptions sets ONNX Runtime session options (threads, graph
// optimization level); the backend sets the execution providers.
func WithEngineOptions(o engine.SessionOptions) Option { return func(c *config) { c.engine = o } }

// WithLogger sends the session's log records to l (default: warnings and
// placement logs to standard error).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// log returns the session's logger: WithLogger's, else one writing
// warnings to standard error.
func (c *config) log() *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func loadEnv() (envconfig.Config, error) { return envconfig.Load() }

// Session is a loaded model ready to run, with its offload plan. It is
// safe for concurrent use; Close releases its ONNX Runtime sessions.
type Session struct {
	model    *graph.Model
	plan     *partition.Plan // nil when offloading is off
	backend  string
	exec     *tfexec.Executor
	enc      *clusters.Encapsulated
	clusters []*offload.Runtime
	log      *slog.Logger
	files    tfexec.Option // what ReadFile may read (WithFileAccess)

	slots chan struct{} // RunAsync's requests in flight, one token each

	fallbackNs atomic.Int64  // time in executor kernels outside clusters
	freezeTime time.Duration // time freezing the model on load took

	origOnce sync.Once // executor of the original graph, for fetches hidden in clusters
	orig     *tfexec.Executor
	origErr  error
	warnOnce sync.Once

	mu     sync.RWMutex
	closed bool
}

// LoadSession loads a model (frozen .pb, .pbtxt, SavedModel directory,
// TF.js model.json, or the folder `tfoffload quantize` writes) and
// prepares it like NewSession; a quantized model runs with its plan (see
// OpenModel).
func LoadSession(path string, opts ...Option) (*Session, error) {
	m, implied, err := OpenModel(path, opts...)
	if err != nil {
		return nil, err
	}
	return NewSession(m, append(implied, opts...)...)
}

// NewSession prepares a loaded model: it freezes a model that still holds
// variables, calls functions or has lookup tables (package freeze:
// variables become their checkpoint values, calls are inlined, tables are
// filled by the model's init op and become constants, every signature
// that does not change state is kept), partitions the graph, rewrites
// each cluster into one node and prepares the executor. Clusters compile
// for ONNX Runtime on their first run.
func NewSession(m *graph.Model, opts ...Option) (*Session, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("%w: the model is nil", ErrNoSession)
	}
	env, err := loadEnv()
	if err != nil {
		return nil, err
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	requests := AutoRequests()
	if cfg.requests != nil {
		if *cfg.requests < 0 {
			return nil, fmt.Errorf("bridge: WithRequests(%d): want 0 (automatic) or more", *cfg.requests)
		}
		if *cfg.requests > 0 {
			requests = *cfg.requests
		}
		if cfg.engine.IntraOpThreads == 0 {
			cfg.engine.IntraOpThreads = intraOpThreads(requests)
		}
	}
	s := &Session{model: m, log: cfg.log(), slots: make(chan struct{}, requests), files: cfg.fileAccess(m)}
	if needsFreeze(m) {
		if m, err = s.freeze(m, cfg); err != nil {
			return nil, err
		}
	}
	enabled := IsEnabled()
	if cfg.enabled != nil {
		enabled = *cfg.enabled
	}
	timer := tfexec.WithNodeTimer(func(n *tfpb.NodeDef, d time.Duration) {
		if n.GetOp() != clusters.ClusterOp {
			s.fallbackNs.Add(int64(d))
		}
	})
	if !enabled {
		if s.exec, err = tfexec.New(m.Graph, timer, s.files); err != nil {
			return nil, err
		}
		return s, nil
	}

	backendName := Backend()
	if cfg.backend != nil {
		backendName = *cfg.backend
	}
	b, err := backends.Get(backendName)
	if err != nil {
		return nil, fmt.Errorf("bridge: backend %s: %w (set TFOFFLOAD_DISABLE=1 to run without offloading)", backendName, err)
	}
	s.backend = b.Name()
	if s.plan, err = partitionModel(m, cfg, env); err != nil {
		return nil, err
	}

	fallback, cacheSize, dumpDir, logPlacement := env.DynamicFallback, env.CacheSize, env.DumpDir, env.LogPlacement
	if cfg.dynamicFallback != nil {
		fallback = *cfg.dynamicFallback
	}
	if cfg.cacheSize != nil {
		cacheSize = *cfg.cacheSize
	}
	if cfg.dumpDir != nil {
		dumpDir = *cfg.dumpDir
	}
	if cfg.logPlacement != nil {
		logPlacement = *cfg.logPlacement
	}
	if dumpDir != "" {
		if err := s.dumpPlan(dumpDir); err != nil {
			return nil, err
		}
	}
	if logPlacement {
		s.logPlacement()
	}

	if s.enc, err = clusters.Encapsulate(m.Graph, s.plan.Clusters); err != nil {
		return nil, err
	}
	ropts := offload.Options{Engine: b.SessionOptions(cfg.engine), CacheSize: cacheSize, Fallback: fallback, DumpDir: dumpDir, Log: s.log,
		Rewrite: cfg.clusterRewrite(), Tap: cfg.tap}
	for _, cl := range s.plan.Clusters {
		rt, err := offload.New(cl, ropts)
		if err != nil {
			return nil, multierr.Append(err, s.Close())
		}
		s.clusters = append(s.clusters, rt)
	}
	s.exec, err = tfexec.New(s.enc.Graph, timer, s.files, tfexec.WithKernel(clusters.ClusterOp, s.clusterKernel))
	if err != nil {
		return nil, multierr.Append(err, s.Close())
	}
	return s, nil
}

// needsFreeze reports a model that holds variables, or a SavedModel whose
// graph calls functions (TF2 signatures), which freezing inlines so that
// the calls' bodies can be offloaded, or has lookup tables, which only
// its init op fills and freezing makes constant.
func needsFreeze(m *graph.Model) bool {
	if m.HasVariables() {
		return true
	}
	if m.MetaGraph == nil {
		return false
	}
	for _, n := range m.Graph.GetNode() {
		if _, _, ok := function.Callee(n, m.Graph.GetLibrary()); ok || n.GetOp() == "HashTableV2" || n.GetOp() == "HashTable" {
			return true
		}
	}
	return false
}

func freezeError(m *graph.Model, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrNeedsFreeze, m.Path, err)
}

// freezeModel freezes m with freeze.Model. A model without signatures
// (a TF1 checkpoint's .meta file) is frozen for the tensors WithOutputs
// names.
func freezeModel(m *graph.Model, cfg config) (*graph.Model, *freeze.Report, error) {
	var fopts []freeze.Option
	if len(m.Signatures) == 0 && len(cfg.outputs) > 0 {
		fopts = append(fopts, freeze.WithOutputs(cfg.outputs...))
	}
	fm, rep, err := freeze.Model(m, fopts...)
	if err != nil {
		return nil, rep, freezeError(m, err)
	}
	return fm, rep, nil
}

// Freeze returns m frozen as a session would freeze it on load — a model
// that holds variables, calls functions or has lookup tables — or m
// itself when it needs no freezing. Of the options only WithOutputs
// counts: it names the outputs of a model without signatures.
func Freeze(m *graph.Model, opts ...Option) (*graph.Model, error) {
	if !needsFreeze(m) {
		return m, nil
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	fm, _, err := freezeModel(m, cfg)
	return fm, err
}

// freeze returns m frozen, logging what it did.
func (s *Session) freeze(m *graph.Model, cfg config) (*graph.Model, error) {
	start := time.Now()
	fm, rep, err := freezeModel(m, cfg)
	if err != nil {
		return nil, err
	}
	s.freezeTime = time.Since(start)
	var refused []string
	for _, st := range rep.Signatures {
		if !st.Frozen {
			refused = append(refused, st.Key)
			s.log.Info("signature not frozen", "model", m.Path, "signature", st.Key, "reason", st.Err)
		}
	}
	s.log.Info("froze model", "model", m.Path, "variables", len(rep.Variables), "mapped", rep.Mapped(),
		"signatures", len(fm.Signatures), "refused", refused, "nodes", len(fm.Graph.GetNode()), "time", s.freezeTime)
	s.model = fm
	return fm, nil
}

// Partition returns the plan a session would offload by, with the same
// options, package settings and environment, without preparing anything
// to run (it needs no ONNX Runtime). A model that needs freezing is frozen
// first, as NewSession does.
func Partition(m *graph.Model, opts ...Option) (*partition.Plan, error) {
	env, err := loadEnv()
	if err != nil {
		return nil, err
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if needsFreeze(m) {
		fm, _, err := freezeModel(m, cfg)
		if err != nil {
			return nil, err
		}
		m = fm
	}
	return partitionModel(m, cfg, env)
}

func partitionModel(m *graph.Model, cfg config, env envconfig.Config) (*partition.Plan, error) {
	popts := partition.Options{DisabledOps: DisabledOps(), MaxClusters: env.MaxClusters}
	if cfg.disabledOps != nil {
		popts.DisabledOps = *cfg.disabledOps
	}
	warnUnknownOps(cfg.log(), popts.DisabledOps)
	if env.MinNontrivialNodes != nil {
		popts.MinNontrivialNodes, popts.MinSource = env.MinNontrivialNodes, envconfig.MinNontrivialNodes
	}
	if cfg.minNontrivial != nil {
		popts.MinNontrivialNodes, popts.MinSource = cfg.minNontrivial, "session option"
	}
	if cfg.maxClusters != nil {
		popts.MaxClusters = *cfg.maxClusters
	}
	for _, t := range m.Outputs() {
		popts.Outputs = append(popts.Outputs, t.Name)
	}
	// Every signature's outputs stay fetchable, not only the default's: a
	// frozen SavedModel serves them all from one graph. Each signature is an
	// output group, so no cluster mixes nodes of different signatures (a
	// run of one would have to feed the others' inputs).
	for _, sig := range m.Signatures {
		var group []string
		for _, t := range sig.Outputs {
			if _, err := graph.ParseTensorName(t.Name); err == nil {
				popts.Outputs = append(popts.Outputs, t.Name)
				group = append(group, t.Name)
			}
		}
		if len(group) > 0 {
			popts.OutputGroups = append(popts.OutputGroups, group)
		}
	}
	popts.Outputs = append(popts.Outputs, cfg.outputs...)
	return partition.Partition(m.Graph, popts)
}

// clusterKernel dispatches a cluster node to its runtime by cluster_id.
func (s *Session) clusterKernel(n *kernel.Node) (kernel.Kernel, error) {
	id, err := n.Attrs.Int("cluster_id", -1)
	if err != nil {
		return nil, err
	}
	if id < 0 || int(id) >= len(s.clusters) {
		return nil, fmt.Errorf("no cluster %d", id)
	}
	return s.clusters[id].Kernel(n)
}

func (s *Session) dumpPlan(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bridge: dump directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.txt"), []byte(s.plan.String()), 0o644); err != nil {
		return fmt.Errorf("bridge: writing plan: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "plan.dot"))
	if err != nil {
		return fmt.Errorf("bridge: writing plan: %w", err)
	}
	return multierr.Append(s.plan.WriteDOT(f), f.Close())
}

func (s *Session) logPlacement() {
	off, total := s.plan.NonTrivial()
	s.log.Warn("placement", "model", s.model.Path, "clusters", len(s.plan.Clusters), "offloaded", off, "nontrivial", total,
		"min_nontrivial_nodes", s.plan.MinNontrivialNodes)
	for _, c := range s.plan.Clusters {
		s.log.Warn("cluster", "id", c.ID, "nodes", len(c.Nodes), "nontrivial", c.NonTrivial(), "inputs", len(c.Inputs), "outputs", len(c.Outputs))
	}
	for _, f := range s.plan.Fallback {
		s.log.Warn("fallback", "node", f.Node, "op", f.Op, "reason", f.Reason.String())
	}
	for _, r := range s.plan.Refusals {
		s.log.Warn("edge not contracted", "from", r.From, "to", r.To, "why", r.Why)
	}
}

// Model returns the loaded model.
func (s *Session) Model() *graph.Model {
	if s == nil {
		return nil
	}
	return s.model
}

// Plan returns the partition plan, or nil when offloading is off.
func (s *Session) Plan() *partition.Plan {
	if s == nil {
		return nil
	}
	return s.plan
}

// BackendName returns the backend the session offloads to ("" when off).
func (s *Session) BackendName() string {
	if s == nil {
		return ""
	}
	return s.backend
}

// Run feeds tensors by name ("x" or "x:0"), computes the fetches and
// returns them in order. It is safe for concurrent use.
func (s *Session) Run(ctx context.Context, feeds map[string]*tensor.Tensor, fetches []string) ([]*tensor.Tensor, error) {
	if s == nil || s.model == nil {
		return nil, ErrNoSession
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.enc == nil {
		return s.exec.Run(ctx, feeds, fetches)
	}
	mapped := make([]string, len(fetches))
	hidden := false
	for i, f := range fetches {
		var ok bool
		if mapped[i], ok = s.enc.Tensor(f); !ok {
			hidden = true
		}
	}
	for name := range feeds {
		if _, ok := s.enc.Tensor(name); !ok || s.enc.Rename[canonical(name)] != "" {
			hidden = true
		}
	}
	if hidden {
		return s.runOriginal(ctx, feeds, fetches)
	}
	return s.exec.Run(ctx, feeds, mapped)
}

func canonical(name string) string {
	if t, err := graph.ParseTensorName(name); err == nil {
		return t.Canonical()
	}
	return name
}

// runOriginal runs the unpartitioned graph, for fetches or feeds of
// tensors that clustering hid; WithOutputs avoids it.
func (s *Session) runOriginal(ctx context.Context, feeds map[string]*tensor.Tensor, fetches []string) ([]*tensor.Tensor, error) {
	s.warnOnce.Do(func() {
		s.log.Warn("a fetch or feed is inside an offloaded cluster; running the whole graph on the Go executor (name it with WithOutputs to avoid this)")
	})
	s.origOnce.Do(func() { s.orig, s.origErr = tfexec.New(s.model.Graph, s.files) })
	if s.origErr != nil {
		return nil, s.origErr
	}
	return s.orig.Run(ctx, feeds, fetches)
}

// Close releases the session's ONNX Runtime sessions. It waits for runs in
// flight and is idempotent.
func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	for _, c := range s.clusters {
		err = multierr.Append(err, c.Close())
	}
	return err
}

var _ io.Closer = (*Session)(nil)
