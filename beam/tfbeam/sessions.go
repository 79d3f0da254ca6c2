package tfbeam

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
)

// model is a loaded session with what Predict needs to feed and fetch it.
type model struct {
	sess    *bridge.Session
	inputs  []graph.TensorInfo // what the signature (or graph) takes
	outputs []graph.TensorInfo // the fetches, in order
}

// cached is one entry of the process-wide session cache.
type cached struct {
	ready chan struct{} // closed once m or err is set
	m     *model
	err   error
	refs  int
}

// sessions is the process-wide session cache: one model per sessionKey,
// shared by every DoFn instance of the worker process.
var sessions = struct {
	mu sync.Mutex
	m  map[string]*cached
}{m: map[string]*cached{}}

// loads counts models loaded, for the tests that check a worker loads a
// model once.
var loads atomic.Int64

// sessionKey is what makes two configs need different sessions.
func sessionKey(c Config) string {
	k, _ := json.Marshal([]any{c.Model, c.Backend, c.Signature, c.Tags, c.Outputs})
	return string(k)
}

// acquire returns the model for c, loading it on the first call for its
// key; concurrent callers for the same key wait for one load. A failed
// load is not cached, so a later Setup tries again. Each successful
// acquire is matched by one release.
func acquire(c Config) (*model, error) {
	key := sessionKey(c)
	sessions.mu.Lock()
	e, ok := sessions.m[key]
	if !ok {
		e = &cached{ready: make(chan struct{})}
		sessions.m[key] = e
	}
	e.refs++
	sessions.mu.Unlock()
	if !ok {
		e.m, e.err = load(c)
		close(e.ready)
	}
	<-e.ready
	if e.err != nil {
		sessions.mu.Lock()
		e.refs--
		if e.refs == 0 && sessions.m[key] == e {
			delete(sessions.m, key)
		}
		sessions.mu.Unlock()
		return nil, e.err
	}
	return e.m, nil
}

// release drops one reference to c's model and closes its session when
// it was the last.
func release(c Config) error {
	key := sessionKey(c)
	sessions.mu.Lock()
	e, ok := sessions.m[key]
	if !ok {
		sessions.mu.Unlock()
		return nil
	}
	e.refs--
	last := e.refs == 0
	if last {
		delete(sessions.m, key)
	}
	sessions.mu.Unlock()
	if last && e.m != nil {
		return e.m.sess.Close()
	}
	return nil
}

// load loads c's model as `tfoffload run` does: the signature's outputs
// (or the ones c names) become the session's fetches.
func load(c Config) (*model, error) {
	loads.Add(1)
	var lopts []graph.Option
	if c.Tags != nil {
		lopts = append(lopts, graph.WithTags(c.Tags...))
	}
	g, err := graph.Load(c.Model, lopts...)
	if err != nil {
		return nil, fmt.Errorf("tfbeam: %w", err)
	}
	sig := g.DefaultSignature()
	if c.Signature != "" {
		if sig = g.Signature(c.Signature); sig == nil {
			return nil, fmt.Errorf("tfbeam: %s has no signature %q", c.Model, c.Signature)
		}
	}
	m := &model{inputs: g.InputsOf(sig)}
	if m.outputs, err = chooseOutputs(g, sig, c.Outputs); err != nil {
		return nil, fmt.Errorf("tfbeam: %s: %w", c.Model, err)
	}
	fetches := make([]string, len(m.outputs))
	for i, o := range m.outputs {
		fetches[i] = o.Name
	}
	opts := []bridge.Option{bridge.WithOutputs(fetches...)}
	if c.Tags != nil {
		opts = append(opts, bridge.WithTags(c.Tags...))
	}
	switch {
	case strings.EqualFold(c.Backend, "none"):
		opts = append(opts, bridge.WithOffload(false))
	case c.Backend != "":
		opts = append(opts, bridge.WithBackend(c.Backend), bridge.WithOffload(true))
	}
	if m.sess, err = bridge.NewSession(g, opts...); err != nil {
		return nil, fmt.Errorf("tfbeam: %s: %w", c.Model, err)
	}
	return m, nil
}

// chooseOutputs returns the signature's outputs, or the ones names lists
// (signature output keys or tensor names).
func chooseOutputs(g *graph.Model, sig *graph.Signature, names []string) ([]graph.TensorInfo, error) {
	infos := g.OutputsOf(sig)
	if len(names) == 0 {
		if len(infos) == 0 {
			return nil, fmt.Errorf("the model declares no outputs: name them in Config.Outputs")
		}
		return infos, nil
	}
	out := make([]graph.TensorInfo, len(names))
	for i, n := range names {
		info, err := findTensor(infos, n)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", n, err)
		}
		out[i] = info
	}
	return out, nil
}

// findTensor finds name among infos by signature key or tensor name; a
// tensor name outside infos is taken as given.
func findTensor(infos []graph.TensorInfo, name string) (graph.TensorInfo, error) {
	in, found, err := graph.FindTensor(infos, name)
	if err != nil || found {
		return in, err
	}
	t, _ := graph.ParseTensorName(name) // FindTensor has parsed it
	return graph.TensorInfo{Name: t.Canonical()}, nil
}
