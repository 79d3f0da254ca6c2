package bridge

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

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// ErrOffload is wrapped by errors of offloaded clusters when dynamic
// fallback is off.
var ErrOffload = errors.New("bridge: offloaded cluster failed")

// clusterRuntime runs one cluster: on ONNX Runtime through a cache of
// compiled sessions (one per input signature), or, after a failure, on its
// original nodes.
type clusterRuntime struct {
	id       int
	cl       *clusters.Cluster
	static   []bool // cluster inputs whose values are compiled in
	runner   *clusters.Runner
	cache    *engine.Cache
	opts     engine.SessionOptions
	fallback bool // dynamic fallback allowed
	dumpDir  string
	log      *slog.Logger

	failedKeys   sync.Map // signatures that cannot be offloaded
	fellBackOnce sync.Once
	compiles     atomic.Int64
	compileNs    atomic.Int64
	runs         atomic.Int64
	runNs        atomic.Int64
	fellBack     atomic.Int64
	fallbackNs   atomic.Int64
}

func newClusterRuntime(id int, cl *clusters.Cluster, opts engine.SessionOptions, cacheSize int, fallback bool, dumpDir string, log *slog.Logger) (*clusterRuntime, error) {
	r, err := clusters.NewRunner(cl)
	if err != nil {
		return nil, err
	}
	c := &clusterRuntime{id: id, cl: cl, runner: r, cache: engine.NewCache(cacheSize), opts: opts,
		fallback: fallback, dumpDir: dumpDir, log: log, static: staticInputs(cl)}
	return c, nil
}

// staticInputs marks the cluster inputs that some node of the cluster
// needs as a compile-time constant.
func staticInputs(cl *clusters.Cluster) []bool {
	pos := make(map[string]int, len(cl.Inputs))
	for i, t := range cl.Inputs {
		pos[t] = i
	}
	static := make([]bool, len(cl.Inputs))
	for _, n := range cl.Nodes {
		var data []string
		for _, in := range n.GetInput() {
			if t, err := graph.ParseTensorName(in); err == nil && !t.Control {
				data = append(data, t.Canonical())
			}
		}
		for _, k := range clusters.StaticInputs(n) {
			if k < len(data) {
				if i, ok := pos[data[k]]; ok {
					static[i] = true
				}
			}
		}
	}
	return static
}

// kernel is the executor's kernel factory for this cluster's node.
func (c *clusterRuntime) kernel(*kernel.Node) (kernel.Kernel, error) {
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return c.run(ctx, in)
	}, nil
}

func (c *clusterRuntime) run(ctx context.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var dynamic, static []*tensor.Tensor
	for i, t := range in {
		if c.static[i] {
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
	if len(out) != len(c.cl.Outputs) {
		return c.fail(ctx, in, key, "running", fmt.Errorf("ONNX Runtime returned %d outputs, want %d", len(out), len(c.cl.Outputs)))
	}
	return out, nil
}

// compile translates the cluster for one input signature and builds its
// ONNX Runtime session.
func (c *clusterRuntime) compile(ctx context.Context, in []*tensor.Tensor, key string) (*engine.Session, error) {
	start := time.Now()
	defer func() {
		c.compiles.Add(1)
		c.compileNs.Add(int64(time.Since(start)))
	}()
	info, _, err := c.runner.Infer(ctx, in, c.static)
	if err != nil {
		return nil, fmt.Errorf("inferring shapes: %w", err)
	}
	m, err := clusters.Translate(c.cl, info)
	if err != nil {
		return nil, err
	}
	data, err := proto.Marshal(m.Proto)
	if err != nil {
		return nil, err
	}
	if c.dumpDir != "" {
		name := filepath.Join(c.dumpDir, fmt.Sprintf("cluster_%d_%d.onnx", c.id, c.compiles.Load()))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			c.log.Warn("cannot dump cluster", "cluster", c.id, "error", err)
		} else {
			c.log.Info("cluster model written", "cluster", c.id, "file", name, "signature", key)
		}
	}
	return engine.NewSession(data, c.opts)
}

// fail handles an engine failure: the error itself when dynamic fallback
// is off, else the cluster's original nodes on the executor, logged once
// per cluster when they succeed (when they fail too, often with the very
// error compiling hit, their error alone is the answer). A non-empty key
// marks that signature as not offloadable.
func (c *clusterRuntime) fail(ctx context.Context, in []*tensor.Tensor, key, stage string, err error) ([]*tensor.Tensor, error) {
	if !c.fallback {
		return nil, fmt.Errorf("%w: cluster %d %s: %w", ErrOffload, c.id, stage, err)
	}
	if key != "" {
		c.failedKeys.Store(key, true)
	}
	out, fallbackErr := c.runFallback(ctx, in)
	if fallbackErr != nil {
		return nil, fallbackErr
	}
	c.fellBackOnce.Do(func() {
		c.log.Warn("offloaded cluster falls back to the Go executor", "cluster", c.id, "stage", stage, "error", err)
	})
	return out, nil
}

func (c *clusterRuntime) runFallback(ctx context.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	start := time.Now()
	out, err := c.runner.Run(ctx, in)
	c.fellBack.Add(1)
	c.fallbackNs.Add(int64(time.Since(start)))
	return out, err
}

func (c *clusterRuntime) close() error { return c.cache.Close() }

func (c *clusterRuntime) stats() ClusterStats {
	return ClusterStats{
		ID: c.id, Nodes: len(c.cl.Nodes), Compiles: int(c.compiles.Load()), CompileTime: time.Duration(c.compileNs.Load()),
		Runs: int(c.runs.Load()), RunTime: time.Duration(c.runNs.Load()),
		FallbackRuns: int(c.fellBack.Load()), FallbackTime: time.Duration(c.fallbackNs.Load()),
		FellBack: c.fellBack.Load() > 0,
	}
}
