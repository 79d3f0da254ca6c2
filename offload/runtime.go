package offload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"google.golang.org/protobuf/proto"
)

// ErrOffload is wrapped by errors of offloaded clusters when dynamic
// fallback is off.
var ErrOffload = errors.New("offloaded cluster failed")

// Options configure a Runtime.
type Options struct {
	// Engine holds the ONNX Runtime session options, execution providers
	// included.
	Engine engine.SessionOptions
	// CacheSize is the number of compiled sessions kept (one per input
	// signature).
	CacheSize int
	// Fallback lets a cluster the engine fails on run on the executor;
	// without it such a run is an error wrapping ErrOffload.
	Fallback bool
	// DumpDir, when set, receives each compiled model as
	// cluster_<id>_<n>.onnx.
	DumpDir string
	// Log receives the fallback warning and dump notices; nil discards
	// them.
	Log *slog.Logger
	// Rewrite, when set, changes each translated model (quantizes it,
	// say) before its session is built and before DumpDir receives it.
	// An error sends that signature to the fallback like a failed
	// translation.
	Rewrite func(cluster int, m *onnxpb.ModelProto) error
	// Tap, when set, receives after each engine run every output of the
	// model, the cluster's own first and then those Rewrite added
	// (calibration reads activations this way); the cluster returns only
	// its own outputs.
	Tap func(cluster int, outputs []*tensor.Tensor)
}

// Runtime runs one cluster: on ONNX Runtime through a cache of compiled
// sessions (one per input signature), or, after a failure, on its
// original nodes. It is safe for concurrent use; Close releases its
// sessions.
type Runtime struct {
	cl     *clusters.Cluster
	static []bool // cluster inputs whose values are compiled in
	runner *Runner
	cache  *engine.Cache
	opts   Options
	log    *slog.Logger

	failedKeys   sync.Map // signatures that cannot be offloaded
	fellBackOnce sync.Once
	compiles     atomic.Int64
	compileNs    atomic.Int64
	runs         atomic.Int64
	runNs        atomic.Int64
	fellBack     atomic.Int64
	fallbackNs   atomic.Int64
	firstErr     atomic.Pointer[error] // the engine's error behind the first fallback
}

// New prepares the runtime of a cluster. Nothing compiles until the first
// Run.
func New(cl *clusters.Cluster, opts Options) (*Runtime, error) {
	r, err := NewRunner(cl)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runtime{cl: cl, runner: r, cache: engine.NewCache(opts.CacheSize), opts: opts, log: log,
		static: cl.StaticInputs()}, nil
}

// Kernel is the executor's kernel factory for the cluster's node.
func (c *Runtime) Kernel(*kernel.Node) (kernel.Kernel, error) {
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return c.Run(ctx, in)
	}, nil
}

// Run computes the cluster's outputs from its inputs (in cluster order).
func (c *Runtime) Run(ctx context.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var dynamic, static []*tensor.Tensor
	for i, t := range in {
		if i < len(c.static) && c.static[i] {
			static = append(static, t)
		} else {
			dynamic = append(dynamic, t)
		}
	}
	key := engine.Signature(dynamic, static...)
	if _, failed := c.failedKeys.Load(key); failed {
		return c.runFallback(ctx, in)
	}
	// The compile is shared by every caller with this signature, so one
	// caller's cancellation must not abort it for the others.
	sess, release, err := c.cache.Get(key, func() (*engine.Session, error) {
		return c.compile(context.WithoutCancel(ctx), in, key)
	})
	if err != nil {
		// The signature cannot be offloaded (translation or compilation
		// failed): remember that, for this signature only.
		return c.fail(ctx, in, key, "compiling", err)
	}
	defer release()
	start := time.Now()
	out, err := sess.Run(ctx, dynamic)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// A run can fail on these values only (an index out of range,
		// say): this call falls back, the signature stays offloaded.
		return c.fail(ctx, in, "", "running", err)
	}
	c.runs.Add(1)
	c.runNs.Add(int64(time.Since(start)))
	if c.opts.Tap != nil {
		c.opts.Tap(c.cl.ID, out)
	}
	if len(out) > len(c.cl.Outputs) && c.opts.Rewrite != nil {
		out = out[:len(c.cl.Outputs)]
	}
	if len(out) != len(c.cl.Outputs) {
		return c.fail(ctx, in, key, "running", fmt.Errorf("ONNX Runtime returned %d outputs, want %d", len(out), len(c.cl.Outputs)))
	}
	return out, nil
}

// compile translates the cluster for one input signature and builds its
// ONNX Runtime session.
func (c *Runtime) compile(ctx context.Context, in []*tensor.Tensor, key string) (*engine.Session, error) {
	start := time.Now()
	defer func() {
		c.compiles.Add(1)
		c.compileNs.Add(int64(time.Since(start)))
	}()
	comp, err := c.runner.Compile(ctx, in, c.static)
	if err != nil {
		return nil, err
	}
	if c.opts.Rewrite != nil {
		if err := c.opts.Rewrite(c.cl.ID, comp.Model.Proto); err != nil {
			return nil, err
		}
		if comp.ONNX, err = proto.Marshal(comp.Model.Proto); err != nil {
			return nil, fmt.Errorf("%s: serializing the rewritten model: %w", c.cl.Name(), err)
		}
	}
	if c.opts.DumpDir != "" {
		name := filepath.Join(c.opts.DumpDir, fmt.Sprintf("%s_%d.onnx", c.cl.Name(), c.compiles.Load()))
		if err := os.WriteFile(name, comp.ONNX, 0o644); err != nil {
			c.log.Warn("cannot dump cluster", "cluster", c.cl.ID, "error", err)
		} else {
			c.log.Info("cluster model written", "cluster", c.cl.ID, "file", name, "signature", key)
		}
	}
	return engine.NewSession(comp.ONNX, c.opts.Engine)
}

// fail handles an engine failure: the error itself when dynamic fallback
// is off, else the cluster's original nodes on the executor, logged once
// per cluster when they succeed (when they fail too, often with the very
// error compiling hit, their error alone is the answer). A non-empty key
// marks that signature as not offloadable.
func (c *Runtime) fail(ctx context.Context, in []*tensor.Tensor, key, stage string, err error) ([]*tensor.Tensor, error) {
	if !c.opts.Fallback {
		return nil, fmt.Errorf("%w: cluster %d %s: %w", ErrOffload, c.cl.ID, stage, err)
	}
	if key != "" {
		c.failedKeys.Store(key, true)
	}
	c.firstErr.CompareAndSwap(nil, &err)
	out, fallbackErr := c.runFallback(ctx, in)
	if fallbackErr != nil {
		return nil, fallbackErr
	}
	c.fellBackOnce.Do(func() {
		c.log.Warn("offloaded cluster falls back to the Go executor", "cluster", c.cl.ID, "stage", stage, "error", err)
	})
	return out, nil
}

func (c *Runtime) runFallback(ctx context.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	start := time.Now()
	out, err := c.runner.Run(ctx, in)
	c.fellBack.Add(1)
	c.fallbackNs.Add(int64(time.Since(start)))
	return out, err
}

// Close releases the compiled sessions. It is idempotent.
func (c *Runtime) Close() error { return c.cache.Close() }

// Stats describes one cluster's activity.
type Stats struct {
	ID    int `json:"id"`
	Nodes int `json:"nodes"`
	// Compiles counts compiled input signatures; CompileTime their total.
	Compiles    int           `json:"compiles"`
	CompileTime time.Duration `json:"compile_time_ns"`
	// Runs and RunTime count runs on the engine.
	Runs    int           `json:"runs"`
	RunTime time.Duration `json:"run_time_ns"`
	// FallbackRuns and FallbackTime count runs on the executor after the
	// engine failed (the signature could not be compiled, or a run
	// failed); FellBack says there was at least one.
	FallbackRuns int           `json:"fallback_runs"`
	FallbackTime time.Duration `json:"fallback_time_ns"`
	FellBack     bool          `json:"fell_back"`
	// FallbackErr is the engine's error that first sent the cluster to
	// the executor (translation, compilation or a run), nil when none
	// did. A translator's deliberate refusal wraps
	// clusters.ErrUntranslatable.
	FallbackErr error `json:"-"`
}

// Stats returns the cluster's activity so far.
func (c *Runtime) Stats() Stats {
	st := Stats{
		ID: c.cl.ID, Nodes: len(c.cl.Nodes), Compiles: int(c.compiles.Load()), CompileTime: time.Duration(c.compileNs.Load()),
		Runs: int(c.runs.Load()), RunTime: time.Duration(c.runNs.Load()),
		FallbackRuns: int(c.fellBack.Load()), FallbackTime: time.Duration(c.fallbackNs.Load()),
		FellBack: c.fellBack.Load() > 0,
	}
	if p := c.firstErr.Load(); p != nil {
		st.FallbackErr = *p
	}
	return st
}
