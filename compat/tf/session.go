package tensorflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.uber.org/multierr"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// ErrInvalidConfig is wrapped by NewSession's error for a
// SessionOptions.Config that is not a serialized ConfigProto or holds a
// value tfoffload cannot honour.
var ErrInvalidConfig = errors.New("invalid SessionOptions.Config")

// ErrSessionClosed is returned by Run on a closed session. Its text is
// the bindings' ("session is closed").
var ErrSessionClosed = errors.New("session is closed")

// Session runs a Graph. It is safe for concurrent use.
//
// Each distinct set of feeds and fetches is prepared once, on its first
// Run, as a bridge session of the graph as it is then (frozen with the
// checkpoint's values for a SavedModel, partitioned and offloaded as
// package bridge does, with its backend and settings): a graph that grows
// after the session was made is prepared again for fetches of its new
// operations. The prepared sessions are kept until Close.
type Session struct {
	graph *Graph
	// engine, when not nil, are the engine options the session's Config
	// asks for.
	engine *engine.SessionOptions

	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool

	prepMu   sync.Mutex
	prepared map[string]*prepared
}

type prepared struct {
	once sync.Once
	s    *bridge.Session
	err  error
}

// SessionOptions contains configuration information for a session.
type SessionOptions struct {
	// Target must be empty or "local": tfoffload runs in process.
	Target string
	// Config is a serialized ConfigProto. tfoffload honours
	// intra_op_parallelism_threads (the size of ONNX Runtime's intra-op
	// thread pool for the session's offloaded clusters); the other fields
	// are read and ignored: devices and inter-op threads come from
	// package bridge's settings. Bytes that are not a ConfigProto make
	// NewSession fail with ErrInvalidConfig.
	Config []byte
}

// Device describes a device a session can use.
type Device struct {
	Name, Type  string
	MemoryLimit int64
}

// NewSession creates a new execution session with the associated graph.
// options may be nil to use the default options.
func NewSession(graph *Graph, options *SessionOptions) (*Session, error) {
	if graph == nil {
		return nil, errors.New("tensorflow: NewSession: nil graph")
	}
	if options != nil && options.Target != "" && options.Target != "local" {
		return nil, fmt.Errorf("tensorflow: session target %q: %w", options.Target, ErrNotSupported)
	}
	s := &Session{graph: graph, prepared: map[string]*prepared{}}
	if options != nil {
		var err error
		if s.engine, err = engineOptions(options.Config); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// engineOptions reads a serialized ConfigProto into the engine options
// that honour it: nil for empty bytes (the default configuration) and
// for a ConfigProto that sets nothing tfoffload honours.
func engineOptions(config []byte) (*engine.SessionOptions, error) {
	if len(config) == 0 {
		return nil, nil
	}
	var cfg tfpb.ConfigProto
	if err := proto.Unmarshal(config, &cfg); err != nil {
		return nil, fmt.Errorf("tensorflow: SessionOptions.Config is not a serialized ConfigProto: %w: %w", ErrInvalidConfig, err)
	}
	n := cfg.GetIntraOpParallelismThreads()
	if n < 0 {
		return nil, fmt.Errorf("tensorflow: SessionOptions.Config: intra_op_parallelism_threads %d is negative: %w", n, ErrInvalidConfig)
	}
	if n == 0 {
		return nil, nil // the system picks, as in TensorFlow
	}
	return &engine.SessionOptions{IntraOpThreads: int(n)}, nil
}

// ListDevices returns the devices of the session: the host CPU, on which
// tfoffload's executor runs (offloaded clusters run on the backend bridge
// chose).
func (s *Session) ListDevices() ([]Device, error) {
	return []Device{{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU", MemoryLimit: 268435456}}, nil
}

// Run feeds the given tensors, computes the fetches and returns them in
// the order of fetches (an empty slice when there are none). Feeds and
// fetches are matched by operation name and output index. Targets are
// checked to be operations of the graph; running them has no effect to
// wait for, since variables hold their checkpoint values from the start
// (so the init op a loader would run is harmless).
func (s *Session) Run(feeds map[Output]*Tensor, fetches []Output, targets []*Operation) ([]*Tensor, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrSessionClosed
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	feedMap := make(map[string]*tensor.Tensor, len(feeds))
	for o, t := range feeds {
		name, err := s.tensorName(o, "feed")
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, fmt.Errorf("tensorflow: feed %s: nil tensor", name)
		}
		feedMap[name] = t.t
	}
	names := make([]string, len(fetches))
	for i, o := range fetches {
		name, err := s.tensorName(o, "fetch")
		if err != nil {
			return nil, err
		}
		names[i] = name
	}
	for _, op := range targets {
		if op == nil || op.g != s.graph || s.graph.node(op.nodeName) == nil {
			return nil, errors.New("tensorflow: target is not an operation of the session's graph")
		}
	}
	if len(fetches) == 0 {
		return []*Tensor{}, nil
	}
	bs, err := s.prepare(sortedKeys(feedMap), names)
	if err != nil {
		return nil, err
	}
	outs, err := bs.Run(context.Background(), feedMap, names)
	if err != nil {
		return nil, err
	}
	ret := make([]*Tensor, len(outs))
	for i, t := range outs {
		ret[i] = &Tensor{t: t}
	}
	return ret, nil
}

// tensorName checks that o is an output of the session's graph and
// returns its canonical name ("op:0").
func (s *Session) tensorName(o Output, what string) (string, error) {
	if o.Op == nil {
		return "", fmt.Errorf("tensorflow: %s with a nil operation", what)
	}
	if o.Op.g != s.graph || s.graph.node(o.Op.nodeName) == nil {
		return "", fmt.Errorf("tensorflow: %s %s is not an operation of the session's graph", what, o.Op.nodeName)
	}
	if n := o.Op.NumOutputs(); o.Index < 0 || o.Index >= n {
		return "", fmt.Errorf("tensorflow: %s %s: output index %d out of range (operation has %d outputs)", what, o.Op.nodeName, o.Index, n)
	}
	return graph.TensorName{Node: o.Op.nodeName, Output: o.Index}.Canonical(), nil
}

// prepare returns the bridge session for this set of feeds and fetches,
// making it on first use.
func (s *Session) prepare(feeds, fetches []string) (*bridge.Session, error) {
	uniq := slices.Clone(fetches)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	key := strings.Join(feeds, ",") + "|" + strings.Join(uniq, ",")
	s.prepMu.Lock()
	p, ok := s.prepared[key]
	if !ok {
		p = &prepared{}
		s.prepared[key] = p
	}
	s.prepMu.Unlock()
	p.once.Do(func() { p.s, p.err = s.graph.bridgeSession(feeds, uniq, s.bridgeOptions()...) })
	return p.s, p.err
}

// bridgeOptions are the bridge options the session's Config asks for.
func (s *Session) bridgeOptions() []bridge.Option {
	if s.engine == nil {
		return nil
	}
	return []bridge.Option{bridge.WithEngineOptions(*s.engine)}
}

// compatSignature is the key of the signature a session freezes a
// SavedModel for: the run's feeds and fetches.
const compatSignature = "tfoffload_compat_run"

// bridgeSession prepares the graph as it is now for the given feeds and
// fetches, with opts added to the bridge's options. Its ReadFile nodes
// read any file, as TensorFlow's do: the program built the graph (see the
// package doc).
func (g *Graph) bridgeSession(feeds, fetches []string, opts ...bridge.Option) (*bridge.Session, error) {
	opts = append([]bridge.Option{bridge.WithOutputs(fetches...), bridge.WithAnyFileAccess()}, opts...)
	gd := g.graphDef()
	if g.source != nil {
		m := *g.source
		m.Graph = gd
		sig := graph.Signature{Key: compatSignature}
		for _, f := range feeds {
			sig.Inputs = append(sig.Inputs, graph.TensorInfo{Key: f, Name: f})
		}
		for _, f := range fetches {
			sig.Outputs = append(sig.Outputs, graph.TensorInfo{Key: f, Name: f})
		}
		m.Signatures = []graph.Signature{sig}
		return bridge.NewSession(&m, opts...)
	}
	pruned, err := graph.Prune(gd, fetches)
	if err != nil {
		return nil, err
	}
	m := &graph.Model{Path: "graph", Format: graph.FormatFrozen, Graph: pruned, GraphProducer: gd.GetVersions().GetProducer()}
	return bridge.NewSession(m, opts...)
}

// Close waits for the runs in flight, then releases the session's
// resources. Later runs fail with ErrSessionClosed. Close is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wg.Wait()
	if s.closed {
		return nil
	}
	s.closed = true
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	var err error
	for _, k := range sortedKeys(s.prepared) {
		if p := s.prepared[k]; p.s != nil {
			err = multierr.Append(err, p.s.Close())
		}
	}
	s.prepared = nil
	return err
}

// PartialRun is the bindings' incremental evaluation; tfoffload does not
// support it.
type PartialRun struct{}

// NewPartialRun is not supported.
func (s *Session) NewPartialRun(feeds, fetches []Output, targets []*Operation) (*PartialRun, error) {
	return nil, fmt.Errorf("tensorflow: NewPartialRun: %w", ErrNotSupported)
}

// Run is not supported.
func (pr *PartialRun) Run(feeds map[Output]*Tensor, fetches []Output, targets []*Operation) ([]*Tensor, error) {
	return nil, fmt.Errorf("tensorflow: PartialRun.Run: %w", ErrNotSupported)
}
