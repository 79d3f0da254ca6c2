package ptq

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
	"google.golang.org/protobuf/proto"
)

// ErrNoCalibration reports Int8 quantization without calibration inputs.
var ErrNoCalibration = errors.New("ptq: int8 quantization needs calibration inputs")

// ErrNoInput reports a configuration with no input at all to compile
// the model with.
var ErrNoInput = errors.New("ptq: no input to compile the model with (give calibration inputs, data or an example)")

// ErrNothingQuantized reports a model none of whose offloaded layers the
// mode can quantize.
var ErrNothingQuantized = errors.New("ptq: no offloaded layer can be quantized")

// MaxDropError reports a maximum drop that only reverting every
// quantized layer would meet.
type MaxDropError struct {
	MaxDrop float64 // the bound asked for
	// Drop is the drop with every layer but the best-ranked last one
	// reverted.
	Drop   float64
	Layers int
}

func (e *MaxDropError) Error() string {
	return fmt.Sprintf("ptq: --max-drop %.2f%% cannot be met without reverting all %d quantized layers (with %d reverted the drop is %.2f%%)",
		100*e.MaxDrop, e.Layers, e.Layers-1, 100*e.Drop)
}

// Sample is one input of the accuracy data.
type Sample struct {
	Feeds map[string]*tensor.Tensor
	// Label is the expected class, or -1 when unknown.
	Label int
}

// Config says what to quantize and how.
type Config struct {
	Mode   quantize.Mode
	Method quantize.Method
	// Rounding is how Int8 rounds weights ("" is GPTQ).
	Rounding quantize.Rounding
	// Calib holds the calibration inputs (Int8).
	Calib []map[string]*tensor.Tensor
	// Data holds the inputs accuracy-aware quantization measures on;
	// with MaxDrop ≥ 0 and Data not empty, layers are reverted to
	// float32 until the metric drops by at most MaxDrop (a fraction).
	Data    []Sample
	MaxDrop float64
	// Example is an input to compile the model with when there are
	// neither calibration inputs nor data (Int8Dynamic and FP16 need no
	// real inputs; any input of the right shape shows their layers).
	Example map[string]*tensor.Tensor
	// Fetch is the output whose arg-max is the predicted class.
	Fetch string
	// Options configure every session (backend, threads).
	Options []bridge.Option
	// Progress, when set, is told of each step: stage, done, total.
	Progress func(stage string, done, total int)
}

// Result is a quantized model's plan and what it produced.
type Result struct {
	Plan *quantize.Plan
	// Layers are the quantized layers (or FP16's converted weights) by
	// cluster, in graph order.
	Layers map[int][]string
	// ONNX holds each quantized cluster model as first compiled, by file
	// name cluster_<id>.onnx.
	ONNX map[string][]byte
}

// Quantize calibrates (Int8), quantizes and, with Data and MaxDrop ≥ 0,
// reverts the layers that cost the most until the metric is within
// MaxDrop. The same model and inputs give the same plan.
func Quantize(ctx context.Context, m *graph.Model, cfg Config) (*Result, error) {
	plan := &quantize.Plan{Format: quantize.Format, Mode: cfg.Mode}
	if cfg.Mode == quantize.Int8 {
		if len(cfg.Calib) == 0 {
			return nil, ErrNoCalibration
		}
		var err error
		if plan, err = calibrate(ctx, m, cfg); err != nil {
			return nil, err
		}
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	res, err := export(ctx, m, cfg, plan)
	if err != nil {
		return nil, err
	}
	if len(cfg.Data) > 0 && cfg.MaxDrop >= 0 && cfg.Mode != quantize.FP16 {
		if err := revert(ctx, m, cfg, res); err != nil {
			return nil, err
		}
		if res, err = export(ctx, m, cfg, res.Plan); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (cfg Config) progress(stage string, done, total int) {
	if cfg.Progress != nil {
		cfg.Progress(stage, done, total)
	}
}

func (cfg Config) session(m *graph.Model, opts ...bridge.Option) (*bridge.Session, error) {
	all := append(slices.Clone(cfg.Options), bridge.WithOffload(true), bridge.WithDynamicFallback(false))
	if cfg.Fetch != "" {
		all = append(all, bridge.WithOutputs(cfg.Fetch))
	}
	return bridge.NewSession(m, append(all, opts...)...)
}

// calibrate runs the calibration inputs with every activation the
// quantization needs added to each cluster's outputs.
func calibrate(ctx context.Context, m *graph.Model, cfg Config) (*quantize.Plan, error) {
	cal, err := quantize.NewCalibrator(cfg.Method, cfg.Rounding)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	observed := make(map[int][]string)
	rewrite := func(cluster int, mp *onnxpb.ModelProto) error {
		mu.Lock()
		defer mu.Unlock()
		cal.Watch(cluster, mp)
		observed[cluster] = quantize.Observe(mp)
		return nil
	}
	tap := func(cluster int, outs []*tensor.Tensor) {
		mu.Lock()
		defer mu.Unlock()
		cal.AddRun(cluster, observed[cluster], outs)
	}
	s, err := cfg.session(m, bridge.WithClusterHooks(rewrite, tap))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	fetches := []string{cfg.Fetch}
	for i, feeds := range cfg.Calib {
		cfg.progress("calibrating", i, len(cfg.Calib))
		if _, err := s.Run(ctx, feeds, fetches); err != nil {
			return nil, fmt.Errorf("ptq: calibration input %d: %w", i+1, err)
		}
	}
	cfg.progress("calibrating", len(cfg.Calib), len(cfg.Calib))
	return cal.Plan(func(done, total int) { cfg.progress("rounding weights", done, total) })
}

// export compiles the model quantized by plan once (on the first
// calibration or data input) to learn its layers and keep each cluster's
// quantized ONNX model.
func export(ctx context.Context, m *graph.Model, cfg Config, plan *quantize.Plan) (*Result, error) {
	res := &Result{Plan: plan, Layers: map[int][]string{}, ONNX: map[string][]byte{}}
	var mu sync.Mutex
	var rewriteErr error
	rewrite := func(cluster int, mp *onnxpb.ModelProto) error {
		names, err := plan.Apply(cluster, mp)
		if err != nil {
			return err
		}
		data, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			rewriteErr = err
			return err
		}
		name := fmt.Sprintf("cluster_%d.onnx", cluster)
		if _, seen := res.ONNX[name]; !seen {
			res.ONNX[name] = data
			res.Layers[cluster] = names
		}
		return nil
	}
	s, err := cfg.session(m, bridge.WithClusterHooks(rewrite, nil))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	feeds, ok := firstInput(cfg)
	if !ok {
		return nil, ErrNoInput
	}
	if _, err := s.Run(ctx, feeds, []string{cfg.Fetch}); err != nil {
		return nil, fmt.Errorf("ptq: running the quantized model: %w", err)
	}
	if rewriteErr != nil {
		return nil, rewriteErr
	}
	n := 0
	for _, l := range res.Layers {
		n += len(l)
	}
	if n == 0 && len(plan.Reverted) == 0 {
		return nil, ErrNothingQuantized
	}
	return res, nil
}

func firstInput(cfg Config) (map[string]*tensor.Tensor, bool) {
	if len(cfg.Calib) > 0 {
		return cfg.Calib[0], true
	}
	if len(cfg.Data) > 0 {
		return cfg.Data[0].Feeds, true
	}
	return cfg.Example, cfg.Example != nil
}

// outputs runs the data (the first n samples) on the model quantized by
// plan (float32 when plan is nil) and returns the fetched output of each
// sample as float64s.
func outputs(ctx context.Context, m *graph.Model, cfg Config, plan *quantize.Plan, n int) ([][]float64, error) {
	s, err := cfg.session(m, bridge.WithPrecision(plan))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := make([][]float64, n)
	for i, d := range cfg.Data[:n] {
		got, err := s.Run(ctx, d.Feeds, []string{cfg.Fetch})
		if err != nil {
			return nil, fmt.Errorf("ptq: data input %d: %w", i+1, err)
		}
		if out[i], err = floats(got[0]); err != nil {
			return nil, fmt.Errorf("ptq: output %s: %w", cfg.Fetch, err)
		}
	}
	return out, nil
}

func floats(t *tensor.Tensor) ([]float64, error) {
	switch t.DType() {
	case tensor.Float32:
		vs := tensor.Values[float32](t)
		out := make([]float64, len(vs))
		for i, v := range vs {
			out[i] = float64(v)
		}
		return out, nil
	case tensor.Float64:
		return slices.Clone(tensor.Values[float64](t)), nil
	}
	return nil, fmt.Errorf("dtype %s is not a float score", t.DType())
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// metric scores outputs: accuracy when every sample has a label, else
// top-1 agreement with ref.
func metric(cfg Config, ref, got [][]float64) float64 {
	hits := 0
	labelled := hasLabels(cfg.Data)
	for i := range got {
		want := argmax(ref[i])
		if labelled {
			want = cfg.Data[i].Label
		}
		if argmax(got[i]) == want {
			hits++
		}
	}
	return float64(hits) / float64(len(got))
}

func hasLabels(data []Sample) bool {
	for _, d := range data {
		if d.Label < 0 {
			return false
		}
	}
	return len(data) > 0
}

// rankingSamples is how many data inputs rank the layers.
const rankingSamples = 32

// revert measures the metric of res's plan on the data and, while it
// drops by more than MaxDrop, reverts layers to float32, the ones whose
// reverting alone brings the outputs closest to float32's first.
func revert(ctx context.Context, m *graph.Model, cfg Config, res *Result) error {
	n := len(cfg.Data)
	cfg.progress("measuring float32", 0, 1)
	ref, err := outputs(ctx, m, cfg, nil, n)
	if err != nil {
		return err
	}
	fp32 := metric(cfg, ref, ref)
	eval := func(p *quantize.Plan) (float64, error) {
		got, err := outputs(ctx, m, cfg, p, n)
		if err != nil {
			return 0, err
		}
		return metric(cfg, ref, got), nil
	}
	initial, err := eval(res.Plan)
	if err != nil {
		return err
	}
	name := "top-1 agreement"
	if hasLabels(cfg.Data) {
		name = "accuracy"
	}
	var all []string
	for _, id := range slices.Sorted(maps.Keys(res.Layers)) {
		all = append(all, res.Layers[id]...)
	}
	report := &quantize.MetricReport{Name: name, Inputs: n, FP32: fp32, Initial: initial, Final: initial, MaxDrop: cfg.MaxDrop, Layers: len(all)}
	res.Plan.Metric = report
	if fp32-initial <= cfg.MaxDrop+1e-12 {
		return nil
	}
	ranked, err := rank(ctx, m, cfg, res.Plan, all, ref)
	if err != nil {
		return err
	}
	// The smallest k whose k best-ranked reverts meet the bound, by
	// bisection (reverting more layers rarely lowers the metric).
	with := func(k int) *quantize.Plan {
		p := *res.Plan
		p.Reverted = append(slices.Clone(res.Plan.Reverted), ranked[:k]...)
		return &p
	}
	lo, hi := 0, len(ranked)
	measured := map[int]float64{0: initial}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		cfg.progress("reverting", mid, len(ranked))
		v, err := eval(with(mid))
		if err != nil {
			return err
		}
		measured[mid] = v
		if fp32-v <= cfg.MaxDrop+1e-12 {
			hi, report.Final = mid, v
		} else {
			lo = mid
		}
	}
	if hi == len(ranked) {
		last, ok := measured[len(ranked)-1]
		if !ok {
			if last, err = eval(with(len(ranked) - 1)); err != nil {
				return err
			}
		}
		return &MaxDropError{MaxDrop: cfg.MaxDrop, Drop: fp32 - last, Layers: len(ranked)}
	}
	p := with(hi)
	p.Metric = report
	report.Reverted = hi
	res.Plan = p
	return nil
}

// rank orders layers by the squared distance from float32's outputs of
// the model with that layer alone reverted: reverting the first helps
// most. Ties keep graph order.
func rank(ctx context.Context, m *graph.Model, cfg Config, plan *quantize.Plan, layers []string, ref [][]float64) ([]string, error) {
	n := min(rankingSamples, len(cfg.Data))
	errs := make([]float64, len(layers))
	for i, l := range layers {
		cfg.progress("ranking layers", i, len(layers))
		p := *plan
		p.Reverted = append(slices.Clone(plan.Reverted), l)
		got, err := outputs(ctx, m, cfg, &p, n)
		if err != nil {
			return nil, err
		}
		for j := range got {
			for k := range got[j] {
				d := got[j][k] - ref[j][k]
				errs[i] += d * d
			}
		}
	}
	cfg.progress("ranking layers", len(layers), len(layers))
	order := make([]int, len(layers))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return errs[order[a]] < errs[order[b]] })
	out := make([]string, len(order))
	for i, o := range order {
		out[i] = layers[o]
	}
	return out, nil
}
