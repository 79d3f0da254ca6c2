package serve

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/multierr"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/servingpb"
)

// defaultSignature is the signature a request without signature_name
// uses, as in TensorFlow Serving.
const defaultSignature = "serving_default"

// version is one loaded, servable version of a model.
type version struct {
	model string
	num   int64
	sess  *bridge.Session
	sigs  map[string]*graph.Signature

	// refs counts requests holding the version; it is only incremented
	// while the version is in its servable's map (under the servable's
	// lock), so unloading waits for exactly the requests that got it.
	refs sync.WaitGroup

	batchMu  sync.Mutex
	batchers map[string]*batcher // by signature and output list
}

// release ends a request's hold on the version.
func (v *version) release() { v.refs.Done() }

// signature returns the signature with key name ("" for the default).
func (v *version) signature(name string) (*graph.Signature, error) {
	if name == "" {
		name = defaultSignature
	}
	if s, ok := v.sigs[name]; ok {
		return s, nil
	}
	return nil, errorf(ErrInvalidArgument, "model %s version %d: serving signature name: %q not found in signature def", v.model, v.num, name)
}

// signatures returns the version's signatures: the model's own
// ("__saved_model_init_op" left out), and for a model without a
// "serving_default" but with known inputs and outputs (a frozen graph), a
// synthetic "serving_default" keyed by tensor name.
func signatures(sess *bridge.Session) map[string]*graph.Signature {
	m := sess.Model()
	out := map[string]*graph.Signature{}
	for i := range m.Signatures {
		if s := &m.Signatures[i]; !strings.HasPrefix(s.Key, "__") {
			out[s.Key] = keyed(s)
		}
	}
	if _, ok := out[defaultSignature]; ok || len(m.Signatures) > 0 {
		return out
	}
	sig := keyed(&graph.Signature{Key: defaultSignature, Method: methodPredict, Inputs: sess.Inputs(), Outputs: sess.Outputs()})
	if len(sig.Inputs) > 0 && len(sig.Outputs) > 0 {
		out[defaultSignature] = sig
	}
	return out
}

// keyed returns sig with every tensor keyed: a tensor a signature lists
// without a key (TF.js model.json signatures) takes its tensor name
// without ":0".
func keyed(sig *graph.Signature) *graph.Signature {
	c := *sig
	c.Inputs, c.Outputs = slices.Clone(sig.Inputs), slices.Clone(sig.Outputs)
	for _, ts := range [][]graph.TensorInfo{c.Inputs, c.Outputs} {
		for i := range ts {
			ts[i].Key = cmp.Or(ts[i].Key, strings.TrimSuffix(ts[i].Name, ":0"))
		}
	}
	return &c
}

// versionState is what GetModelStatus reports for one version.
type versionState struct {
	state servingpb.ModelVersionStatus_State
	err   string // the load error; empty when none
	mtime time.Time
}

// servable is one configured model and its versions.
type servable struct {
	cfg ModelConfig

	mu       sync.RWMutex
	versions map[int64]*version // available, by number
	states   map[int64]*versionState
}

// acquire returns the version a request names (by number, by label, or
// the newest when neither), held until the caller calls release.
func (s *servable) acquire(num int64, label string) (*version, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case label != "":
		n, ok := s.cfg.Labels[label]
		if !ok {
			return nil, errorf(ErrNotFound, "model %s: unrecognized servable version label: %s", s.cfg.Name, label)
		}
		num = n
	case num < 0:
		if len(s.versions) == 0 {
			return nil, errorf(ErrUnavailable, "model %s: no version is available (servable not found for request: Latest(%s))", s.cfg.Name, s.cfg.Name)
		}
		num = slices.Max(slices.Collect(maps.Keys(s.versions)))
	}
	v, ok := s.versions[num]
	if !ok {
		return nil, errorf(ErrNotFound, "model %s: servable not found for request: Specific(%s, %d)", s.cfg.Name, s.cfg.Name, num)
	}
	v.refs.Add(1)
	return v, nil
}

// status returns the versions' states, newest first; num ≥ 0 selects one.
func (s *servable) status(num int64) ([]*servingpb.ModelVersionStatus, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	nums := slices.Sorted(maps.Keys(s.states))
	slices.Reverse(nums)
	var out []*servingpb.ModelVersionStatus
	for _, n := range nums {
		if num >= 0 && n != num {
			continue
		}
		st := s.states[n]
		ps := &servingpb.StatusProto{}
		if st.err != "" {
			ps.ErrorCode, ps.ErrorMessage = servingpb.ErrorCode_UNKNOWN, st.err
		}
		out = append(out, &servingpb.ModelVersionStatus{Version: n, State: st.state, Status: ps})
	}
	if len(out) == 0 {
		if num >= 0 {
			return nil, errorf(ErrNotFound, "model %s: could not find version %d", s.cfg.Name, num)
		}
		return nil, errorf(ErrNotFound, "model %s: could not find any versions", s.cfg.Name)
	}
	return out, nil
}

// ready reports whether some version is available.
func (s *servable) ready() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.versions) > 0
}

// versionDirs lists the numbered subdirectories of the base path with
// their modification times.
func versionDirs(base string) (map[int64]time.Time, error) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, err
	}
	out := map[int64]time.Time{}
	for _, e := range entries {
		n, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || n < 0 || !e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out[n] = info.ModTime()
	}
	return out, nil
}

// modelPath is what bridge.LoadSession opens for a version directory: the
// directory itself (SavedModel, TF.js), or the only frozen graph file in it.
func modelPath(dir string) string {
	for _, name := range []string{"saved_model.pb", "saved_model.pbtxt", "model.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return dir
		}
	}
	var graphs []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && (ext == ".pb" || ext == ".pbtxt") {
			graphs = append(graphs, e.Name())
		}
	}
	if len(graphs) == 1 {
		return filepath.Join(dir, graphs[0])
	}
	return dir
}

// manager owns the servables: it loads versions, swaps them and unloads
// the old ones once their requests finished.
type manager struct {
	cfg     *Config
	log     *slog.Logger
	metrics *metrics
	models  map[string]*servable
	names   []string // sorted

	unloading sync.WaitGroup // versions waiting for their requests to close

	pollMu sync.Mutex // one poll at a time (the ticker and Poll)
	closed bool       // under pollMu: closeAll ran, polls do nothing
}

func newManager(cfg *Config, log *slog.Logger, m *metrics) *manager {
	mg := &manager{cfg: cfg, log: log, metrics: m, models: map[string]*servable{}}
	for _, mc := range cfg.Models {
		mg.models[mc.Name] = &servable{cfg: mc, versions: map[int64]*version{}, states: map[int64]*versionState{}}
		mg.names = append(mg.names, mc.Name)
	}
	slices.Sort(mg.names)
	return mg
}

// metricLabel is the model label a request's metrics carry: its name
// when the model is served, else unknownModel, so that requests naming
// arbitrary models cannot grow the metrics without bound.
func (mg *manager) metricLabel(name string) string {
	if _, ok := mg.models[name]; ok {
		return name
	}
	return unknownModel
}

// unknownModel labels the metrics of requests for models not served.
const unknownModel = "_unknown"

// servable returns the named model.
func (mg *manager) servable(name string) (*servable, error) {
	if s, ok := mg.models[name]; ok {
		return s, nil
	}
	return nil, errorf(ErrNotFound, "servable not found for request: model %q is not served", name)
}

// acquire returns the version a request names; see servable.acquire.
func (mg *manager) acquire(name string, num int64, label string) (*version, error) {
	s, err := mg.servable(name)
	if err != nil {
		return nil, err
	}
	return s.acquire(num, label)
}

// pollAll scans every model's base path once.
func (mg *manager) pollAll(ctx context.Context) {
	mg.pollMu.Lock()
	defer mg.pollMu.Unlock()
	if mg.closed {
		return
	}
	for _, name := range mg.names {
		mg.poll(ctx, mg.models[name])
	}
}

// poll brings one model's versions in line with its base path and policy:
// it loads the versions the policy wants (newest first for "latest"),
// skips one that fails to load (logged, its state END with the error, so
// it never replaces a working version) and unloads the versions no longer
// wanted after their requests finish. A failed version is retried only
// when its directory changes.
func (mg *manager) poll(ctx context.Context, s *servable) {
	dirs, err := versionDirs(s.cfg.BasePath)
	if err != nil {
		mg.log.Error("cannot list model versions", "model", s.cfg.Name, "base_path", s.cfg.BasePath, "err", err)
		mg.metrics.errorKind("load")
		return
	}
	nums := slices.Sorted(maps.Keys(dirs))
	slices.Reverse(nums)
	p := s.cfg.Policy
	var want []int64
	switch {
	case p.All:
		want = nums
	case len(p.Specific) > 0:
		want = slices.DeleteFunc(slices.Clone(nums), func(n int64) bool { return !slices.Contains(p.Specific, n) })
	default:
		want = nums
	}
	limit := len(want)
	if !p.All && len(p.Specific) == 0 {
		limit = max(p.Latest, 1)
	}
	keep := map[int64]bool{}
	for _, n := range want {
		if len(keep) == limit || ctx.Err() != nil {
			break
		}
		if mg.ensureLoaded(s, n, dirs[n]) {
			keep[n] = true
		}
	}
	s.mu.Lock()
	var drop []*version
	for n, v := range s.versions {
		if !keep[n] {
			delete(s.versions, n)
			s.states[n] = &versionState{state: servingpb.ModelVersionStatus_END}
			drop = append(drop, v)
		}
	}
	s.mu.Unlock()
	for _, v := range drop {
		mg.unload(v)
	}
}

// ensureLoaded loads version n unless it is loaded or failed with the same
// directory time, and reports whether it is available.
func (mg *manager) ensureLoaded(s *servable, n int64, mtime time.Time) bool {
	s.mu.RLock()
	_, loaded := s.versions[n]
	st := s.states[n]
	s.mu.RUnlock()
	if loaded {
		return true
	}
	if st != nil && st.err != "" && st.mtime.Equal(mtime) {
		return false
	}
	s.mu.Lock()
	s.states[n] = &versionState{state: servingpb.ModelVersionStatus_LOADING}
	s.mu.Unlock()
	dir := filepath.Join(s.cfg.BasePath, strconv.FormatInt(n, 10))
	start := time.Now()
	v, err := mg.load(s.cfg.Name, n, dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.states[n] = &versionState{state: servingpb.ModelVersionStatus_END, err: err.Error(), mtime: mtime}
		mg.log.Error("model version failed to load; it is not served", "model", s.cfg.Name, "version", n, "path", dir, "err", err)
		mg.metrics.errorKind("load")
		return false
	}
	s.versions[n] = v
	s.states[n] = &versionState{state: servingpb.ModelVersionStatus_AVAILABLE}
	mg.log.Info("model version available", "model", s.cfg.Name, "version", n, "path", dir,
		"signatures", len(v.sigs), "load_time", time.Since(start).Round(time.Millisecond))
	return true
}

// load opens a version and checks it has something to serve.
func (mg *manager) load(model string, n int64, dir string) (*version, error) {
	opts := append([]bridge.Option{bridge.WithLogger(mg.log)}, mg.cfg.SessionOptions...)
	sess, err := bridge.LoadSession(modelPath(dir), opts...)
	if err != nil {
		return nil, err
	}
	v := &version{model: model, num: n, sess: sess, sigs: signatures(sess), batchers: map[string]*batcher{}}
	if len(v.sigs) == 0 {
		err := fmt.Errorf("model %s version %d: no signature to serve and no inputs or outputs to make one", model, n)
		return nil, multierr.Append(err, sess.Close())
	}
	return v, nil
}

// unload closes v after the requests holding it finish, in the background.
func (mg *manager) unload(v *version) {
	mg.unloading.Go(func() {
		v.refs.Wait()
		v.stopBatchers()
		if err := v.sess.Close(); err != nil {
			mg.log.Error("closing model version", "model", v.model, "version", v.num, "err", err)
		}
		mg.log.Info("model version unloaded", "model", v.model, "version", v.num)
	})
}

// closeAll unloads every version and waits until all are closed; later
// polls load nothing.
func (mg *manager) closeAll() {
	mg.pollMu.Lock()
	mg.closed = true
	mg.pollMu.Unlock()
	for _, name := range mg.names {
		s := mg.models[name]
		s.mu.Lock()
		for n, v := range s.versions {
			delete(s.versions, n)
			s.states[n] = &versionState{state: servingpb.ModelVersionStatus_END}
			mg.unload(v)
		}
		s.mu.Unlock()
	}
	mg.unloading.Wait()
}

// batcher returns the version's batcher for key, started on first use.
func (v *version) batcher(key string, cfg BatchingConfig, run runFunc, observe func(int)) *batcher {
	v.batchMu.Lock()
	defer v.batchMu.Unlock()
	b, ok := v.batchers[key]
	if !ok {
		b = newBatcher(v.model, cfg, run, observe)
		v.batchers[key] = b
	}
	return b
}

// stopBatchers ends the version's batch workers; called once no request
// holds the version.
func (v *version) stopBatchers() {
	v.batchMu.Lock()
	defer v.batchMu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(v.batchers)) {
		v.batchers[k].stop()
	}
	v.batchers = map[string]*batcher{}
}
